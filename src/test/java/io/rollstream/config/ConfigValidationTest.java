package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollstream.batch.Advantages;
import io.rollstream.learner.Algorithm;
import io.rollstream.learner.ImportanceCorrection;
import io.rollstream.rollout.Oversampling;
import io.rollstream.tokenizer.PromptFormat;
import io.rollstream.tokenizer.TokenizerSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigValidationTest {

    /** An override breaking one rule, the full key the message must name, and how it must show the value. */
    static Stream<Arguments> singleKeyRules() {
        return Stream.of(
                arguments("job.name=''", "job.name", "('')"),
                arguments("job.name=../../x", "job.name", "('../../x') must not contain '/', '\\', '..'"),
                arguments("job.name=a\\b", "job.name", "('a\\b') must not contain"),
                arguments("job.name=up..", "job.name", "('up..') must not contain"),
                arguments("job.max_steps=0", "job.max_steps", "(0)"),
                arguments("job.max_minutes=-1", "job.max_minutes", "(-1)"),
                arguments("job.web_ui_port=70000", "job.web_ui_port", "(70000)"),
                arguments("job.checkpoint_interval_s=0", "job.checkpoint_interval_s", "(0)"),
                arguments("job.prometheus_port=-1", "job.prometheus_port", "(-1)"),
                arguments("job.log_every=0", "job.log_every", "(0) must be >= 1"),
                arguments("data.source=jsonl", "data.path", "(null) is required when data.source is jsonl"),
                arguments("data.task=arithmatic", "data.task", "('arithmatic')"),
                arguments("data.difficulty=12", "data.difficulty", "(12)"),
                arguments("data.task_options={operators: '*'}", "data.task_options", "{operators=*}"),
                arguments("data.task_options.colour=red", "data.task_options", "{colour=red}"),
                arguments("data.verifier=exact", "data.verifier", "('exact')"),
                arguments("data.epochs=0", "data.epochs", "(0)"),
                arguments("data.max_problems=-1", "data.max_problems", "(-1)"),
                arguments("data.max_prompt_chars=0", "data.max_prompt_chars", "(0)"),
                arguments("data.fields.prompt=''", "data.fields.prompt", "('')"),
                arguments("model.layers=0", "model.layers", "got 0"),
                arguments("model.heads=3", "model.d_model", "got 128"),
                arguments("model.mlp_width=0", "model.mlp_width", "got 0"),
                arguments("model.context_length=1", "model.context_length", "got 1"),
                arguments("model.context_length=8", "model.context_length", "(8) is too short"),
                arguments("model.tokenizer={type: sentencepiece}", "model.tokenizer.type", "('sentencepiece')"),
                arguments("model.tokenizer={type: huggingface}", "model.tokenizer.path", "(null)"),
                arguments("model.tokenizer={type: char}", "model.tokenizer.alphabet", "(null)"),
                arguments("model.tokenizer={path: t.json}", "model.tokenizer.type", "is required"),
                arguments("sft.steps=-1", "sft.steps", "(-1)"),
                arguments("sft.examples=0", "sft.examples", "(0)"),
                arguments("sft.batch_size=0", "sft.batch_size", "(0)"),
                arguments("sft.learning_rate=0", "sft.learning_rate", "(0.0)"),
                arguments("sft.warmup_steps=-1", "sft.warmup_steps", "(-1)"),
                arguments("sft.eval_every=-1", "sft.eval_every", "(-1)"),
                arguments("sft.checkpoint_every=-1", "sft.checkpoint_every", "(-1)"),
                arguments("sft.min_learning_rate=-1e-4", "sft.min_learning_rate", "(-1.0E-4)"),
                arguments("sft.min_learning_rate=2e-3", "sft.min_learning_rate", "must be in [0, sft.learning_rate]"),
                arguments("rollout.parallelism=0", "rollout.parallelism", "(0)"),
                arguments("rollout.rollouts_per_example=0", "rollout.rollouts_per_example", "(0)"),
                arguments("rollout.temperature=0", "rollout.temperature", "got 0.0"),
                arguments("rollout.top_p=1.5", "rollout.top_p", "got 1.5"),
                arguments("rollout.top_k=-1", "rollout.top_k", "got -1"),
                arguments("rollout.max_new_tokens=0", "rollout.max_new_tokens", "got 0"),
                arguments("rollout.max_batch_rows=0", "rollout.max_batch_rows", "(0)"),
                arguments("rollout.policy_poll_ms=5", "rollout.policy_poll_ms", "(5)"),
                arguments("buffer.batch_size=0", "buffer.batch_size", "(0)"),
                arguments("buffer.oversampling_factor=0.5", "buffer.oversampling_factor", "(0.5)"),
                arguments("buffer.easy_threshold=1.5", "buffer.easy_threshold", "(1.5)"),
                arguments("buffer.hard_threshold=-0.1", "buffer.hard_threshold", "(-0.1)"),
                arguments("buffer.easy_fraction=2", "buffer.easy_fraction", "(2.0)"),
                arguments("buffer.hard_fraction=-1", "buffer.hard_fraction", "(-1.0)"),
                arguments("async.max_async_level=-1", "async.max_async_level", "(-1)"),
                arguments("async.max_off_policy_steps=-1", "async.max_off_policy_steps", "(-1)"),
                arguments("learner.learning_rate=-1e-4", "learner.learning_rate", "got -1.0E-4"),
                arguments("learner.beta1=1", "learner.beta1", "got 1.0"),
                arguments("learner.beta2=-0.5", "learner.beta2", "-0.5"),
                arguments("learner.epsilon=0", "learner.epsilon", "got 0.0"),
                arguments("learner.weight_decay=-1", "learner.weight_decay", "got -1.0"),
                arguments("learner.warmup_steps=-1", "learner.warmup_steps", "got -1"),
                arguments("learner.max_grad_norm=0", "learner.max_grad_norm", "got 0.0"),
                arguments("learner.micro_batch_size=0", "learner.micro_batch_size", "got 0"),
                arguments("learner.max_bad_steps=0", "learner.max_bad_steps", "(0)"),
                arguments("learner.loss.dppo_mask_low=-0.1", "learner.loss.dppo_mask_low", "got -0.1"),
                arguments("learner.loss.ratio_low=2", "learner.loss.ratio_low", "got 2.0"),
                arguments("learner.loss.kl_tau=-1", "learner.loss.kl_tau", "got -1.0"),
                arguments(
                        "learner.loss.clip_low=0.2", "learner.loss.clip_low", "applies to learner.loss.name ppo_clip"),
                arguments("learner.loss={name: ppo_clip, clip_low: 1.5}", "learner.loss.clip_low", "got 1.5"),
                arguments("learner.loss={name: gspo, clip_high: 0}", "learner.loss.clip_high", "got 0.0"),
                arguments(
                        "learner.loss={name: cispo, masking: none}",
                        "learner.loss.masking",
                        "applies to learner.loss.name dppo only"),
                arguments("learner.importance_correction.cap=0.5", "learner.importance_correction.cap", "got 0.5"),
                arguments(
                        "learner.importance_correction.mask_low=0",
                        "learner.importance_correction.mask_low",
                        "got 0.0"),
                arguments(
                        "learner.importance_correction.mask_high=0.9",
                        "learner.importance_correction.mask_high",
                        "got 0.9"),
                arguments("learner.kl_to_reference.coefficient=-1", "learner.kl_to_reference.coefficient", "got -1.0"),
                arguments(
                        "buffer.soft_overlong_punishment.cache_tokens=0",
                        "buffer.soft_overlong_punishment.cache_tokens",
                        "got 0"),
                arguments(
                        "buffer.soft_overlong_punishment={cache_tokens: 2, penalty: 0}",
                        "buffer.soft_overlong_punishment.penalty",
                        "got 0.0"),
                arguments(
                        "buffer.soft_overlong_punishment={penalty: 1}",
                        "buffer.soft_overlong_punishment.cache_tokens",
                        "is required"),
                arguments("teacher.checkpoint=''", "teacher.checkpoint", "('')"),
                arguments("teacher.parallelism=0", "teacher.parallelism", "(0)"),
                arguments("eval.every_steps=-1", "eval.every_steps", "(-1)"),
                arguments("eval.problems=0", "eval.problems", "(0)"),
                arguments("eval.max_new_tokens=0", "eval.max_new_tokens", "(0)"),
                arguments("eval.samples=-1", "eval.samples", "(-1)"),
                arguments("eval.samples=5000", "eval.samples", "(5000)"),
                arguments("eval.temperature=0", "eval.temperature", "(0.0)"),
                arguments("policy_store.path=''", "policy_store.path", "('')"),
                arguments("policy_store.keep_last=-1", "policy_store.keep_last", "(-1)"),
                arguments("policy_store.keep_evaluated=-1", "policy_store.keep_evaluated", "(-1)"),
                arguments("output.sample_every=0", "output.sample_every", "(0)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleKeyRules")
    void eachRuleNamesItsKeyAndTheBadValue(String override, String key, String shownValue) {
        InvalidConfigException e = failure("", override);
        assertThat(e.errors()).hasSize(1);
        assertThat(e.getMessage()).contains(key).contains(shownValue);
    }

    @Test
    void chatPromptsNeedATokenizerWithATemplateAndTheSystemPromptNeedsChat() {
        assertThat(failure("data: {prompt_format: chat}\nmodel: {tokenizer: {type: char, alphabet: \"0123456789+=\"}}")
                        .getMessage())
                .contains("data.prompt_format", "char tokenizer", "huggingface_model");
        assertThat(failure("data: {system_prompt: Be brief.}").getMessage())
                .contains("data.system_prompt", "only applies to data.prompt_format: chat");
        assertThat(failure("data: {prompt_format: jinja}").getMessage()).contains("data.prompt_format");
        RunConfig chat = ConfigLoader.parse("data: {prompt_format: chat, system_prompt: Be brief.}\n"
                + "model: {tokenizer: {type: huggingface_model, path: /models/qwen}}");
        assertThat(chat.data().toPromptFormat()).isEqualTo(PromptFormat.chat("Be brief."));
        assertThat(chat.model().tokenizer()).isEqualTo(TokenizerSpec.huggingFaceModel("/models/qwen"));
        assertThat(failure("model: {tokenizer: {type: huggingface_model}}").getMessage())
                .contains("model.tokenizer.path", "a Hugging Face model directory");
    }

    @Test
    void batchSizeMustBeAMultipleOfTheGroupSizeAndTheMessageSuggestsNeighbours() {
        assertThat(failure("buffer: {batch_size: 250}").getMessage())
                .isEqualTo(
                        "buffer.batch_size (250) must be a multiple of rollout.rollouts_per_example (8): try 248 or 256");
        assertThat(failure("buffer: {batch_size: 4}").getMessage())
                .isEqualTo("buffer.batch_size (4) must be a multiple of rollout.rollouts_per_example (8): try 8");
    }

    @Test
    void everyGeneratorNeedsAGroupOfEveryBatch() {
        assertThat(failure("rollout: {parallelism: 16}").getMessage())
                .contains(
                        "rollout.parallelism (16)",
                        "8 groups per batch",
                        "buffer.batch_size",
                        "rollout.rollouts_per_example",
                        "lower rollout.parallelism to 8",
                        "raise buffer.batch_size to 128");
        assertThat(failure("rollout: {parallelism: 16}\nbuffer: {oversampling_factor: 2.0}\n"
                                + "async: {max_off_policy_steps: 2}")
                        .getMessage())
                .as("headroom is no share of a batch")
                .contains("8 groups per batch");
        RunConfig fits = ConfigLoader.parse("rollout: {parallelism: 16}\nbuffer: {batch_size: 128}");
        assertThat(fits.groupsPerBatch()).isEqualTo(16);
    }

    @Test
    void oversamplingHeadroomNeedsMaxOffPolicyStepsToCoverTheStepsItCarries() {
        assertThat(failure("buffer: {oversampling_factor: 2.0}").getMessage())
                .contains(
                        "async.max_off_policy_steps (1) must be >= async.max_async_level + 1 = 2",
                        "headroom of 8 groups",
                        "set buffer.oversampling_factor to 1");
        assertThat(failure("buffer: {oversampling_factor: 2.5}\nasync: {max_off_policy_steps: 2}")
                        .getMessage())
                .contains("must be >= async.max_async_level + 2 = 3");
        RunConfig fits = ConfigLoader.parse("buffer: {oversampling_factor: 2.0}\nasync: {max_off_policy_steps: 2}");
        assertThat(fits.problemsPerBatch()).isEqualTo(16);
        assertThat(fits.carrySteps()).isEqualTo(1);
    }

    @Test
    void adaptiveOversamplingNeedsARewardFilterAndHeadroom() {
        assertThat(failure("buffer: {oversampling: adaptive}").getMessage())
                .contains("buffer.oversampling", "raise buffer.oversampling_factor");
        assertThat(failure("buffer: {oversampling: adaptive, oversampling_factor: 2.0, zero_advantage_filter: false}\n"
                                + "async: {max_off_policy_steps: 2}")
                        .getMessage())
                .contains("neither is on", "use buffer.oversampling: fixed");
        RunConfig fits = ConfigLoader.parse(
                "buffer: {oversampling: adaptive, oversampling_factor: 2.0}\nasync: {max_off_policy_steps: 2}");
        assertThat(fits.buffer().oversampling()).isEqualTo(Oversampling.ADAPTIVE);
    }

    @Test
    void distillationRejectsDifficultyPoolsAndRewardFilters() {
        InvalidConfigException e = failure("""
                learner: {algorithm: reverse_kl}
                teacher: {checkpoint: teacher.ckpt}
                buffer: {easy_threshold: 0.9, hard_threshold: 0.1, online_difficulty_filtering: true, easy_fraction: 0.5,
                         zero_advantage_filter: true, std_normalize_advantages: true,
                         soft_overlong_punishment: {cache_tokens: 2}}
                """);
        assertThat(e.errors()).hasSize(7);
        assertThat(e.errors())
                .allSatisfy(line -> assertThat(line)
                        .containsAnyOf(
                                "does not apply to distillation",
                                "which distillation (learner.algorithm reverse_kl) does not train on"));
        assertThat(e.getMessage())
                .contains(
                        "buffer.easy_threshold (0.9)",
                        "buffer.hard_threshold (0.1)",
                        "buffer.online_difficulty_filtering (true)",
                        "buffer.easy_fraction (0.5)",
                        "buffer.zero_advantage_filter (true)",
                        "buffer.advantage (group_mean_std)",
                        "buffer.soft_overlong_punishment (");
        assertThat(e.getMessage()).contains("remove it", "set it to false");
    }

    /** Combinations of the objective's keys that make no sense are refused, naming every key involved. */
    @Test
    void senselessObjectiveCombinationsAreRefusedNamingTheKeys() {
        assertThat(failure("learner: {loss: gspo, importance_correction: {truncate: token}}")
                        .getMessage())
                .contains(
                        "learner.importance_correction.truncate (token)",
                        "learner.loss.name gspo",
                        "set truncate to none");
        assertThat(failure("learner: {loss: cispo, importance_correction: {truncate: sequence}}")
                        .getMessage())
                .contains("learner.importance_correction.truncate (sequence)", "learner.loss.name cispo");
        assertThat(failure("learner: {algorithm: reverse_kl, loss: ppo_clip}\nteacher: {checkpoint: t}")
                        .getMessage())
                .contains("learner.loss.name (ppo_clip)", "learner.algorithm grpo only");
        assertThat(failure("rollout: {rollouts_per_example: 1}\nbuffer: {advantage: rloo, batch_size: 8,"
                                + " zero_advantage_filter: false}")
                        .getMessage())
                .contains("buffer.advantage (rloo)", "rollout.rollouts_per_example >= 2");
        assertThat(failure("buffer: {advantage: dr_grpo}\nlearner: {loss_aggregation: seq_mean_token_mean}")
                        .getMessage())
                .contains("buffer.advantage (dr_grpo)", "learner.loss_aggregation", "seq_mean_token_sum");
        assertThat(failure("buffer: {filter_truncated: true}\nlearner: {overlong_filtering: true}")
                        .getMessage())
                .contains("learner.overlong_filtering (true)", "buffer.filter_truncated");
        assertThat(failure("rollout: {max_new_tokens: 4}\nbuffer: {soft_overlong_punishment: {cache_tokens: 4}}")
                        .getMessage())
                .contains("buffer.soft_overlong_punishment.cache_tokens (4)", "rollout.max_new_tokens (4)");
        assertThat(failure("buffer: {advantage: group_mean, std_normalize_advantages: true}")
                        .getMessage())
                .contains("buffer.std_normalize_advantages (true) contradicts buffer.advantage (group_mean)");
        // what does make sense loads, with the loss's defaults filled in
        RunConfig ok = ConfigLoader.parse("""
                learner: {loss: {name: ppo_clip, clip_high: 0.3}, importance_correction: {truncate: token, cap: 3},
                          kl_to_reference: {coefficient: 0.01}}
                buffer: {advantage: dr_grpo}
                """);
        assertThat(ok.learner().objective().loss().clipLow()).isEqualTo(0.2);
        assertThat(ok.learner().objective().loss().clipHigh()).isEqualTo(0.3);
        assertThat(ok.learner().objective().loss().masking()).isNull();
        assertThat(ConfigLoader.parse("learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t}")
                        .learner()
                        .objective()
                        .importanceCorrection())
                .isEqualTo(ImportanceCorrection.Config.truncated(2.0));
        assertThat(ConfigLoader.parse("buffer: {std_normalize_advantages: true}")
                        .buffer()
                        .advantage())
                .isEqualTo(Advantages.Estimator.GROUP_MEAN_STD);
    }

    @Test
    void distillationNeedsATeacher() {
        assertThat(failure("learner: {algorithm: reverse_kl}").getMessage())
                .isEqualTo("teacher.checkpoint (null) is required when learner.algorithm is reverse_kl:"
                        + " set it to the teacher's checkpoint (or teacher.source: huggingface with teacher.path)");
        RunConfig ok = ConfigLoader.parse("learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t.ckpt}");
        assertThat(ok.learner().algorithm()).isEqualTo(Algorithm.REVERSE_KL);
    }

    @Test
    void grpoNeedsGroupsOfAtLeastTwoWithOrWithoutTheZeroAdvantageFilter() {
        String groupsOfOne = "rollout: {rollouts_per_example: 1}\n";
        for (String filter :
                List.of("", "buffer: {zero_advantage_filter: true}\n", "buffer: {zero_advantage_filter: false}\n")) {
            assertThat(failure(groupsOfOne + filter).getMessage())
                    .as(filter)
                    .contains(
                            "rollout.rollouts_per_example (1) must be >= 2",
                            "learner.algorithm grpo",
                            "zero advantage",
                            "buffer.zero_advantage_filter",
                            "set rollout.rollouts_per_example to 2");
        }
        assertThat(ConfigLoader.parse(groupsOfOne + "learner: {algorithm: sft}")
                        .learner()
                        .algorithm())
                .isEqualTo(Algorithm.SFT);
        // Distillation trains on per-token rewards: one rollout per prompt is its variance experiment's first arm.
        assertThat(ConfigLoader.parse(groupsOfOne + "learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t.ckpt}")
                        .rollout()
                        .rolloutsPerExample())
                .isEqualTo(1);
    }

    @Test
    void offPolicyLimitMustCoverTheAsyncLevel() {
        assertThat(failure("async: {max_async_level: 3, max_off_policy_steps: 2}")
                        .getMessage())
                .contains(
                        "async.max_off_policy_steps (2)",
                        "async.max_async_level (3)",
                        "stale",
                        "raise async.max_off_policy_steps to 3");
        assertThat(ConfigLoader.parse("async: {max_async_level: 0, max_off_policy_steps: 0}")
                        .async())
                .isEqualTo(new AsyncSection(0, 0));
    }

    @Test
    void hardThresholdMustBeBelowEasyThreshold() {
        assertThat(failure("buffer: {easy_threshold: 0.5, hard_threshold: 0.5}").getMessage())
                .contains("buffer.hard_threshold (0.5)", "buffer.easy_threshold (0.5)");
        assertThat(ConfigLoader.parse("buffer: {hard_threshold: 0.8}").buffer().hardThreshold())
                .isEqualTo(0.8);
    }

    @Test
    void contextMustHoldTheTasksLongestPromptAndAnswer() {
        assertThat(failure("data: {difficulty: 9}\nmodel: {context_length: 31}").getMessage())
                .contains("model.context_length (31)", "data.difficulty 9", "raise model.context_length to 32");
        assertThat(ConfigLoader.parse("data: {difficulty: 9}").model().contextLength())
                .isEqualTo(32);
        assertThat(ConfigLoader.parse("model: {context_length: 8, tokenizer: {type: huggingface, path: t.json}}")
                        .model()
                        .contextLength())
                .isEqualTo(8);
    }

    @Test
    void errorsInSeveralSectionsAreReportedTogetherOnePerLine() {
        InvalidConfigException e = failure("""
                job: {max_steps: 0}
                rollout: {temperature: hot, top_k: -1}
                buffer: {batch_size: 0, oversampling_factor: 0.5}
                learner: {max_bad_steps: 0}
                output: {sample_every: 0, colour: blue}
                """, "eval.problems=0");
        assertThat(e.errors()).hasSize(9);
        assertThat(e.getMessage().lines().skip(1)).containsExactlyElementsOf(e.errors());
        assertThat(e.getMessage())
                .startsWith("9 configuration errors:")
                .contains(
                        "job.max_steps (0)",
                        "rollout.temperature: expected a number, got 'hot'",
                        "rollout.top_k",
                        "buffer.batch_size (0)",
                        "buffer.oversampling_factor (0.5)",
                        "learner.max_bad_steps (0)",
                        "output.sample_every (0)",
                        "unknown key output.colour",
                        "eval.problems (0)");
    }

    @Test
    void crossSectionErrorsAreReportedTogether() {
        InvalidConfigException e = failure("""
                buffer: {batch_size: 250, easy_threshold: 0.9}
                learner: {algorithm: reverse_kl}
                model: {context_length: 4}
                """);
        assertThat(e.errors()).hasSize(4);
        assertThat(e.getMessage())
                .contains(
                        "buffer.batch_size (250)",
                        "buffer.easy_threshold (0.9)",
                        "teacher.checkpoint",
                        "model.context_length (4)");
    }

    @Test
    void sectionRecordsValidateWhenBuiltInCode() {
        assertThatThrownBy(() -> new BufferSection(
                        0, 0.5, null, null, null, false, true, Advantages.Estimator.GROUP_MEAN, null, false, 0, 0))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(
                        t -> assertThat(((InvalidConfigException) t).errors()).hasSize(2));
        assertThat(new RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null))
                .isEqualTo(ConfigLoader.parse("", List.of()));
    }

    @Test
    void slotResourcesNeedCpuCoresAndTaskHeapTogetherAndNoNegativeAmounts() {
        assertThat(ConfigFailures.failure("slots: {rollout: {gpus: 1}}").getMessage())
                .contains("slots.rollout", "cpu_cores and task_heap_mb");
        assertThat(ConfigFailures.failure("slots: {learner: {cpu_cores: -1, task_heap_mb: 512}}")
                        .getMessage())
                .contains("slots.learner.cpu_cores (-1.0) must be >= 0");
        RunConfig ok = ConfigLoader.parse("slots: {default: {cpu_cores: 0.5, task_heap_mb: 128},"
                + " rollout: {cpu_cores: 1, task_heap_mb: 256, gpus: 1}}");
        assertThat(ok.slots().rollout().declared()).isTrue();
        assertThat(ok.slots().learner().declared()).isFalse();
    }

    @Test
    void declaredSlotGroupsNeedTheDefaultGroupDeclaredToo() {
        assertThat(ConfigFailures.failure("slots: {rollout: {cpu_cores: 1, task_heap_mb: 256}}")
                        .getMessage())
                .contains("slots.default", "must declare resources when slots.rollout", "cpu_cores: 0.5");
    }
}
