package io.rollstream.huggingface;

import io.rollstream.model.DecoderConfig;
import java.util.List;

/**
 * A Hugging Face {@code config.json} as Rollstream understood it.
 *
 * @param decoder the maths of the model
 * @param bosTokenId {@code bos_token_id}, or null
 * @param eosTokenIds {@code eos_token_id} (one or a list), possibly empty
 * @param notes what the reader accepted without using it and how it adapted (e.g. a sliding window
 *     that bounds the context), for the user to see
 */
public record HfConfig(DecoderConfig decoder, Integer bosTokenId, List<Integer> eosTokenIds, List<String> notes) {

    public HfConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        notes = List.copyOf(notes);
    }
}
