"""Offline sync with the phones: merging pushed mutations (merge/), what a status change
sets in motion (effects), and the scoped change feed a pull reads (pull, serialize).
Protocol: sync_server/PROTOCOL.md."""
