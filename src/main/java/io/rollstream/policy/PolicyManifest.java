package io.rollstream.policy;

/**
 * Makes one policy version visible. Written after the weights file, by atomic rename, so a reader
 * that sees a manifest always finds complete weights with the recorded checksum.
 *
 * @param version learner steps behind these weights (0 = initial policy)
 * @param file weights file name, relative to the version's folder
 * @param sha256 the weights file's checksum (hex SHA-256; for files of checkpoint format 3 the one
 *     their header records, for older ones that of the whole file)
 * @param bytes size of the weights file
 * @param attempt identifier of the learner attempt that wrote it (for fencing after restores)
 * @param createdMillis wall clock at publication
 * @param groupsDroppedStale groups batch assembly had dropped as stale, over the whole run, when it
 *     cut the batch that produced this version (0 for version 0 and in manifests written before the
 *     field existed): generators give the admission slots of those groups back
 */
public record PolicyManifest(
        long version,
        String file,
        String sha256,
        long bytes,
        String attempt,
        long createdMillis,
        long groupsDroppedStale) {}
