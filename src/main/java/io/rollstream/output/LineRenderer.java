package io.rollstream.output;

import java.io.Serializable;

/** Renders a record as one line of a JSON-lines file; null skips the record. */
@FunctionalInterface
public interface LineRenderer<T> extends Serializable {
    String render(T record) throws Exception;
}
