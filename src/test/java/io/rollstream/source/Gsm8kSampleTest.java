package io.rollstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.tasks.MathAnswerVerifier;
import io.rollstream.tasks.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GSM8K-style sample of {@code configs/data/gsm8k-sample.jsonl} reads through the JSONL field mapping
 * ({@code question} as the prompt, {@code answer} as the reference) and its references score with
 * {@code math_answer}: the answer after {@code ####} is the one compared, the reasoning before it is kept for SFT.
 */
class Gsm8kSampleTest {

    @Test
    void everyRecordParsesAndItsFinalAnswerIsTheReference() throws IOException {
        ProblemParser parser = new ProblemParser(new FieldMapping("id", "question", "answer", "task"), "jsonl");
        List<String> lines = Files.readAllLines(Path.of("configs/data/gsm8k-sample.jsonl"));
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ParseResult result = parser.parse(lines.get(i), "gsm8k-sample.jsonl:" + (i + 1));
            assertThat(result).as("line " + (i + 1)).isInstanceOf(ParseResult.Valid.class);
            problems.add(((ParseResult.Valid) result).problem());
        }
        assertThat(problems).hasSize(12);
        MathAnswerVerifier verifier = new MathAnswerVerifier();
        for (Problem p : problems) {
            String finalAnswer =
                    p.answer().substring(p.answer().lastIndexOf("####") + 4).strip();
            assertThat(p.prompt()).endsWith("?");
            assertThat(verifier.score("Let me work it out.\n#### " + finalAnswer, p.answer()))
                    .as(p.prompt())
                    .isEqualTo(1.0);
            assertThat(verifier.score("#### 99999", p.answer())).isZero();
        }
        Problem fraction = problems.get(8);
        assertThat(verifier.score("So \\boxed{0.25}", fraction.answer())).isEqualTo(1.0);
        assertThat(verifier.score("#### 3600", problems.get(7).answer())).isEqualTo(1.0);
        assertThat(verifier.score("#### -7", problems.get(5).answer())).isEqualTo(1.0);
    }
}
