"""Photo evidence bytes: the content-addressed store, resumable uploads and packs, who may
read which bytes (access), upload quota and purge, the JPEG check and thumbnails."""
