package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.learner.DppoLoss.Masking;
import io.rollstream.learner.PolicyLoss;
import io.rollstream.tokenizer.TokenizerSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --set key.path=value} overrides, and the {@code num_rollouts_per_prompt} alias. */
class ConfigOverridesTest {

    private static RunConfig parse(String yaml, String... overrides) {
        return ConfigLoader.parse(yaml, List.of(overrides));
    }

    @Test
    void overridesSetNestedValuesOverTheFile() {
        RunConfig c = parse(
                "rollout: {temperature: 1.5}\nlearner: {loss: {masking: dppo}}",
                "rollout.temperature=0.7",
                "learner.loss.masking=none",
                "job.web_ui=false",
                "job.name=run=3");
        assertThat(c.rollout().sampling().temperature()).isEqualTo(0.7);
        assertThat(c.learner().objective().loss().masking()).isEqualTo(Masking.NONE);
        assertThat(c.job().webUi()).isFalse();
        assertThat(c.job().name()).isEqualTo("run=3");
    }

    @Test
    void overridesCreateMissingSectionsAndMaps() {
        RunConfig c = parse(
                "",
                "model.tokenizer.type=huggingface",
                "model.tokenizer.path=/tok/tokenizer.json",
                "data.task_options.operators=+-");
        assertThat(c.model().tokenizer()).isEqualTo(TokenizerSpec.huggingFace("/tok/tokenizer.json"));
        assertThat(c.data().taskOptions()).isEqualTo(Map.of("operators", "+-"));
    }

    @Test
    void overridesSetNull() {
        RunConfig c = parse(
                "buffer: {easy_threshold: 0.9}\neval: {max_new_tokens: 16}",
                "buffer.easy_threshold=null",
                "eval.max_new_tokens=null");
        assertThat(c.buffer().easyThreshold()).isNull();
        assertThat(c.eval().maxNewTokens()).isNull();
    }

    @Test
    void overridesSetFlowMapsReplacingTheOldMap() {
        RunConfig c = parse("data: {task_options: {operators: +}}", "data.task_options={operators: \"+-\"}");
        assertThat(c.data().taskOptions()).isEqualTo(Map.of("operators", "+-"));
        RunConfig loss = parse("", "learner.loss={masking: token_ratio, ratio_high: 4}");
        assertThat(loss.learner().objective().loss().masking()).isEqualTo(Masking.TOKEN_RATIO);
        assertThat(loss.learner().objective().loss().ratioHigh()).isEqualTo(4.0);
        assertThat(loss.learner().objective().loss().ratioLow()).isEqualTo(0.125);
        // a loss name replaces the map; a key under it makes the map again
        RunConfig named = parse("learner: {loss: {masking: none}}", "learner.loss=ppo_clip");
        assertThat(named.learner().objective().loss().name()).isEqualTo(PolicyLoss.PPO_CLIP);
        assertThat(named.learner().objective().loss().clipHigh()).isEqualTo(0.28);
        RunConfig tuned = parse("", "learner.loss.name=cispo", "learner.loss.clip_high=4");
        assertThat(tuned.learner().objective().loss().name()).isEqualTo(PolicyLoss.CISPO);
        assertThat(tuned.learner().objective().loss().clipHigh()).isEqualTo(4.0);
        assertThat(tuned.learner().objective().loss().clipLow()).isEqualTo(1.0);
    }

    @Test
    void aLaterOverrideWins() {
        assertThat(parse("", "rollout.top_k=5", "rollout.top_k=7")
                        .rollout()
                        .sampling()
                        .topK())
                .isEqualTo(7);
    }

    @Test
    void anOverrideOfAnUnknownKeyNamesTheKeyAndTheOverride() {
        assertThat(failure("", "rollout.temprature=0.7").getMessage())
                .startsWith("unknown key rollout.temprature (did you mean rollout.temperature?)"
                        + " (from --set rollout.temprature=0.7); valid keys in rollout:");
        assertThat(failure("", "trainer.lr=0.1").getMessage())
                .startsWith("unknown key trainer (from --set trainer.lr=0.1); valid top-level keys:");
    }

    @Test
    void anOverrideOfTheWrongTypeSaysWhereTheValueCameFrom() {
        assertThat(failure("", "rollout.temperature=hot").getMessage())
                .isEqualTo("rollout.temperature: expected a number, got 'hot' (from --set rollout.temperature=hot)");
    }

    @Test
    void anOverrideThroughAScalarIsAnError() {
        assertThat(failure("job: {name: x}", "job.name.first=y").getMessage())
                .isEqualTo("--set job.name.first=y: job.name is 'x', not a map, so it has no key first");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rollout.temperature", "=0.7", "rollout..temperature=0.7", ".x=1"})
    void malformedOverridesAreErrors(String override) {
        assertThat(failure("", override).getMessage())
                .isEqualTo("--set " + override + ": expected key.path=value, e.g. --set rollout.temperature=0.7");
    }

    @Test
    void badFlowValuesAreErrorsButOtherTextIsAString() {
        assertThat(failure("", "data.task_options={operators: +").getMessage())
                .startsWith("--set data.task_options={operators: +: the value is not valid YAML");
        assertThat(parse("", "job.name=-").job().name()).isEqualTo("-");
        assertThat(parse("", "job.name=a: b").job().name()).isEqualTo("a: b");
    }

    @Test
    void overrideErrorsAreReportedWithTheFilesErrors() {
        InvalidConfigException e = failure("rollout: {top_k: -1}", "noequals", "job.max_steps=0");
        assertThat(e.errors()).hasSize(3);
    }

    @Test
    void theAliasAloneSetsRolloutsPerExample() {
        assertThat(parse("rollout: {num_rollouts_per_prompt: 4}\nbuffer: {batch_size: 32}")
                        .rollout()
                        .rolloutsPerExample())
                .isEqualTo(4);
        assertThat(parse("buffer: {batch_size: 32}", "rollout.num_rollouts_per_prompt=4")
                        .rollout()
                        .rolloutsPerExample())
                .isEqualTo(4);
    }

    @Test
    void theAliasAndTheKeyMayBothBeGivenWithTheSameValue() {
        RunConfig c = parse("rollout: {num_rollouts_per_prompt: 4, rollouts_per_example: 4}\nbuffer: {batch_size: 32}");
        assertThat(c.rollout().rolloutsPerExample()).isEqualTo(4);
        assertThat(c).isEqualTo(parse("rollout: {rollouts_per_example: 4}\nbuffer: {batch_size: 32}"));
    }

    @Test
    void theAliasAndTheKeyWithDifferentValuesAreAnError() {
        assertThat(failure("rollout: {num_rollouts_per_prompt: 4, rollouts_per_example: 8}")
                        .getMessage())
                .isEqualTo("rollout.num_rollouts_per_prompt (4) and rollout.rollouts_per_example (8) are the same"
                        + " setting with different values: keep only rollout.rollouts_per_example");
        assertThat(failure("rollout: {rollouts_per_example: 8}", "rollout.num_rollouts_per_prompt=16")
                        .getMessage())
                .contains("rollout.num_rollouts_per_prompt (16)", "rollout.rollouts_per_example (8)");
    }

    @Test
    void theAliasIsValidatedLikeTheKey() {
        assertThat(failure("rollout: {num_rollouts_per_prompt: 0}").getMessage())
                .contains("rollout.rollouts_per_example (0) must be >= 1");
        assertThat(failure("rollout: {num_rollouts_per_prompt: four}").getMessage())
                .isEqualTo("rollout.num_rollouts_per_prompt: expected an integer, got 'four'");
    }
}
