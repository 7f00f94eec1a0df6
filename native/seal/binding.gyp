{
  "targets": [
    {
      "target_name": "sealpost_seal",
      "sources": ["seal.c", "open.c", "open-wrapped.c", "blind-index.c", "wrap-key.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_SUPPRESS_DEPRECATED"]
    }
  ]
}
