/* HMAC-SHA512 shared by the sealing (seal.c) and opening (open.c) halves of the native core. */
#ifndef SEALPOST_HMAC512_H
#define SEALPOST_HMAC512_H
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* HMAC-SHA512 with the key's pads absorbed once (RFC 2104); keys are at most 64 bytes (ids, data keys, PRKs: callers pass 32 or 64). */
typedef struct { SHA512_CTX inner, outer; } hmac512_t;

static inline void hmac512_key(hmac512_t *h, const uint8_t *key, size_t len) {
  uint8_t pad[128];
  memset(pad, 0x36, sizeof pad);
  for (size_t i = 0; i < len; i++) pad[i] ^= key[i];
  SHA512_Init(&h->inner);
  SHA512_Update(&h->inner, pad, sizeof pad);
  memset(pad, 0x5c, sizeof pad);
  for (size_t i = 0; i < len; i++) pad[i] ^= key[i];
  SHA512_Init(&h->outer);
  SHA512_Update(&h->outer, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
}

static inline void hmac512(const hmac512_t *h, const uint8_t *m1, size_t l1, const uint8_t *m2, size_t l2, uint8_t out[64]) {
  SHA512_CTX c = h->inner;
  uint8_t inner[64];
  SHA512_Update(&c, m1, l1);
  if (l2) SHA512_Update(&c, m2, l2);
  SHA512_Final(inner, &c);
  c = h->outer;
  SHA512_Update(&c, inner, sizeof inner);
  SHA512_Final(out, &c);
  OPENSSL_cleanse(inner, sizeof inner);
  OPENSSL_cleanse(&c, sizeof c);
}

#endif
