package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.Models;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.CharTokenizer;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End to end on the real model: SFT memorises a small 2-digit addition set. */
@Tag("djl")
class SftLearnsArithmeticTest {

    private static final int MAX_STEPS = 600;

    /** Both builtin architectures: the GPT and the Llama decoder ({@code model.architecture: llama}). */
    @ParameterizedTest
    @EnumSource(ModelConfig.Architecture.class)
    void reachesNinetyFivePercentGreedyAccuracyOnItsTrainingProblems(ModelConfig.Architecture architecture) {
        Task task = Tasks.create("arithmetic", 7, 2);
        PromptCodec codec = new PromptCodec(new CharTokenizer(task.alphabet()), PromptFormat.RAW);
        List<Problem> problems = LongStream.range(0, 64).mapToObj(task::problem).toList();
        List<TrainingExample> demos = new ArrayList<>();
        for (Problem p : problems) {
            demos.add(TrainingExample.demonstration(codec.prompt(p.prompt()), codec.targetCompletion(p.answer())));
        }
        ModelConfig config = new ModelConfig(
                codec.tokenizer().vocabSize(),
                2,
                4,
                64,
                256,
                16,
                architecture == ModelConfig.Architecture.GPT ? ModelConfig.Positions.LEARNED : null,
                architecture);
        GreedyEvaluator evaluator = new GreedyEvaluator(codec, task.verifier(), task.maxAnswerChars() + 1, 64);
        try (LanguageModel model = Models.initialize(config, 1, Device.cpu())) {
            PolicyTrainer trainer = new PolicyTrainer(
                    model,
                    new AdamW(new AdamW.Config(3e-3, 0.9, 0.99, 1e-8, 0.0, 20), model.parameters()),
                    new PolicyTrainer.Config(1.0, 64, 1.0, PolicyTrainer.OptimizerStep.PER_BATCH),
                    0);
            SftLoss sft = new SftLoss();
            double accuracy = evaluator.accuracy(model, problems);
            assertThat(accuracy).isLessThan(0.2); // an untrained model does not already know the answers
            int step = 0;
            while (accuracy < 0.95 && step < MAX_STEPS) {
                for (int i = 0; i < 25; i++, step++) {
                    trainer.step(demos, sft);
                }
                accuracy = evaluator.accuracy(model, problems);
            }
            assertThat(accuracy).as("greedy accuracy after %d SFT steps", step).isGreaterThanOrEqualTo(0.95);
        }
    }
}
