package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Unknown keys and values of the wrong type. */
class ConfigKeysTest {

    @Test
    void anUnknownKeyInASectionListsTheValidKeysAndSuggestsTheClosest() {
        assertThat(failure("rollout:\n  temprature: 0.7\n").getMessage())
                .isEqualTo("unknown key rollout.temprature (did you mean rollout.temperature?); valid keys in rollout:"
                        + " parallelism, rollouts_per_example, num_rollouts_per_prompt, temperature, top_p, top_k,"
                        + " max_new_tokens, max_batch_rows, policy_poll_ms, device, seed");
    }

    @Test
    void noSuggestionWithoutACloseMatch() {
        assertThat(failure("buffer: {colour: blue}").getMessage())
                .startsWith("unknown key buffer.colour; valid keys in buffer: batch_size, oversampling_factor,")
                .doesNotContain("did you mean");
    }

    @Test
    void anUnknownTopLevelKeyListsTheSections() {
        assertThat(failure("jobb: {name: x}").getMessage())
                .isEqualTo(
                        "unknown key jobb (did you mean job?); valid top-level keys: job, data, model, sft, rollout, buffer,"
                                + " async, learner, teacher, eval, policy_store, output, slots");
        assertThat(failure("hyperparameters: {}").getMessage())
                .contains("unknown key hyperparameters;")
                .doesNotContain("did you mean");
    }

    @Test
    void unknownKeysInNestedMapsNameTheFullPath() {
        assertThat(failure("learner: {loss: {mask: none}}").getMessage())
                .contains(
                        "unknown key learner.loss.mask (did you mean learner.loss.masking?)",
                        "valid keys in learner.loss: name, clip_low, clip_high, masking, dppo_mask_low");
        assertThat(failure("data: {fields: {question: q}}").getMessage())
                .contains("unknown key data.fields.question", "valid keys in data.fields: id, prompt, answer, task");
        assertThat(failure("model: {tokenizer: {type: huggingface, path: t.json, vocab: 5}}")
                        .getMessage())
                .contains("unknown key model.tokenizer.vocab");
    }

    @Test
    void anUnknownKeyDoesNotHideOtherErrorsInItsSection() {
        InvalidConfigException e = failure("rollout: {temprature: 0.7, top_p: 2, device: tpu}");
        assertThat(e.errors()).hasSize(3);
    }

    @Test
    void wrongTypesNameTheKeyTheExpectedTypeAndTheValue() {
        assertThat(failure("rollout: {temperature: hot}").getMessage())
                .isEqualTo("rollout.temperature: expected a number, got 'hot'");
        assertThat(failure("job: {max_steps: 1.5}").getMessage())
                .isEqualTo("job.max_steps: expected an integer, got 1.5");
        assertThat(failure("job: {max_steps: 3000000000}").getMessage())
                .isEqualTo("job.max_steps: expected an integer, got 3000000000");
        assertThat(failure("job: {web_ui: maybe}").getMessage())
                .isEqualTo("job.web_ui: expected true or false, got 'maybe'");
        assertThat(failure("rollout: {device: tpu}").getMessage())
                .isEqualTo("rollout.device: expected one of auto, cpu, gpu, got 'tpu'");
        assertThat(failure("learner: {algorithm: ppo}").getMessage())
                .isEqualTo("learner.algorithm: expected one of grpo, reverse_kl, sft, got 'ppo'");
        assertThat(failure("job: {name: [a, b]}").getMessage()).isEqualTo("job.name: expected a string, got a list");
        assertThat(failure("data: {task_options: [a]}").getMessage())
                .isEqualTo("data.task_options: expected a map of strings, got a list");
        assertThat(failure("data: {task_options: {operators: {a: b}}}").getMessage())
                .isEqualTo("data.task_options.operators: expected a string, got a map");
        assertThat(failure("model: {tokenizer: huggingface}").getMessage())
                .isEqualTo("model.tokenizer: expected a map of keys, got 'huggingface'");
    }

    @Test
    void aSectionThatIsNotAMapIsAnError() {
        assertThat(failure("rollout: 5").getMessage()).isEqualTo("rollout: expected a map of keys, got 5");
        assertThat(failure("learner: {loss: [dppo]}").getMessage())
                .isEqualTo("learner.loss: expected a map of keys, got a list");
    }

    @Test
    void nullIsOnlyAcceptedWhereItMeansSomething() {
        assertThat(failure("rollout: {temperature: null}").getMessage())
                .isEqualTo("rollout.temperature: expected a number, got null; remove the key to use the default (1.0)");
        assertThat(failure("learner: {algorithm: null}").getMessage())
                .contains("learner.algorithm", "got null", "default (grpo)");
        RunConfig c = ConfigLoader.parse("""
                buffer: {easy_threshold: null}
                model: {tokenizer: null, init: null}
                eval: {max_new_tokens: null}
                data: {task_options: null}
                """);
        assertThat(c).isEqualTo(RunConfig.defaults());
    }
}
