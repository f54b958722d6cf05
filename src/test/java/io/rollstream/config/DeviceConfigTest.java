package io.rollstream.config;

import static io.rollstream.config.ConfigFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Precision;
import org.junit.jupiter.api.Test;

/** {@code learner.device} and {@code model.dtype}: what is accepted, and what is refused with which fix. */
class DeviceConfigTest {

    @Test
    void defaultsAreAutoDevicesAndFloat32() {
        RunConfig c = ConfigLoader.parse("job: {name: d}\n");
        assertThat(c.learner().device()).isEqualTo(DeviceSetting.AUTO);
        assertThat(c.rollout().device()).isEqualTo(DeviceSetting.AUTO);
        assertThat(c.model().dtype()).isEqualTo(Precision.FLOAT32);
    }

    @Test
    void float16AppliesToBuiltinAndHuggingFaceModelsAndRoundTripsThroughTheWrittenConfig() {
        RunConfig builtin = ConfigLoader.parse("model: {dtype: float16}\nlearner: {device: gpu}\n");
        assertThat(builtin.model().dtype()).isEqualTo(Precision.FLOAT16);
        assertThat(builtin.learner().device()).isEqualTo(DeviceSetting.GPU);
        assertThat(ConfigLoader.parse(ConfigWriter.toYaml(builtin))).isEqualTo(builtin);
        RunConfig hf = ConfigLoader.parse("model: {source: huggingface, path: /models/m, dtype: FLOAT16}\n");
        assertThat(hf.model().dtype()).isEqualTo(Precision.FLOAT16);
    }

    @Test
    void bfloat16IsRefusedWithTheReason() {
        assertThat(failure("model: {dtype: bfloat16}\n"))
                .hasMessageContaining("model.dtype ('bfloat16') is not supported")
                .hasMessageContaining("aborts the JVM")
                .hasMessageContaining("float16");
        assertThat(failure("model: {dtype: half}\n"))
                .hasMessageContaining("model.dtype ('half') must be float32 or float16");
    }

    @Test
    void float16IsRefusedWhenEveryCopyIsOnTheCpu() {
        assertThat(failure("model: {dtype: float16}\nrollout: {device: cpu}\n"))
                .hasMessageContaining("model.dtype (float16)")
                .hasMessageContaining("rollout.device is cpu")
                .hasMessageContaining("rollout.device: auto or gpu");
    }

    @Test
    void aLearnerDeviceOutsideTheChoicesNamesThem() {
        assertThat(failure("learner: {device: tpu}\n"))
                .hasMessageContaining("learner.device")
                .hasMessageContaining("auto, cpu, gpu");
    }
}
