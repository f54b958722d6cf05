package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.device.Placement;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.policy.PolicyStore;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DJL sampler's handling of pinned policy versions. */
@Tag("djl")
class ModelGroupSamplerTest {

    @TempDir
    Path dir;

    @Test
    void groupsPinnedToACollectedVersionAreGeneratedWithTheNewestAndSaySo() throws Exception {
        Task task = Tasks.create("arithmetic", 3, 1);
        CharTokenizer tokenizer = new CharTokenizer(task.alphabet());
        ModelConfig config = new ModelConfig(tokenizer.vocabSize(), 1, 2, 16, 32, 12, ModelConfig.Positions.LEARNED);
        PolicyStore store = new PolicyStore(dir.toString());
        try (GptModel model = GptModel.initialize(config, 5, Device.cpu())) {
            for (long v = 0; v <= 3; v++) {
                store.publish(new Checkpoint(v, config, tokenizer.spec(), model.weights(), null, Map.of()), "a");
            }
        }
        store.delete(1); // collected by the learner
        Problem problem = task.problem(0);
        try (ModelGroupSampler sampler =
                new ModelGroupSampler(store, task.verifier(), SamplingConfig.sample(4), 2, 64, 7, Placement.cpu())) {
            List<SampledGroup> groups = sampler.generate(List.of(
                    GroupRequest.admitted(problem, 0, 0, 1).pinnedTo(1),
                    GroupRequest.admitted(problem, 1, 1, 1).pinnedTo(2)));
            assertThat(groups).extracting(SampledGroup::policyVersion).containsExactly(3L, 2L);
            assertThat(groups).allSatisfy(g -> assertThat(g.rollouts()).hasSize(2));
        }
    }
}
