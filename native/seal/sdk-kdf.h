/*
 * The parts of the AWS Encryption SDK format both halves of the native core share (seal.c, open.c):
 * suite 0x0478's sizes and labels, and its committing HKDF-SHA512 (the SDK's nodeKdf, committing
 * branch: PRK = HMAC(salt = message id, IKM = data key); commitment = HMAC(PRK, "COMMITKEY" || 1);
 * key = HMAC(PRK, suite id || "DERIVEKEY" || 1)), split in two so an opener compares the commitment
 * before it derives the key.
 */
#ifndef SEALPOST_SDK_KDF_H
#define SEALPOST_SDK_KDF_H
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>
#include "hmac512.h"

#define ID_LEN 32
#define COMMIT_LEN 32
#define KEY_LEN 32
#define IV_LEN 12
#define TAG_LEN 16
#define SUITE_ID 0x0478

static const char FRAME_STRING[] = "AWSKMSEncryptionClient Frame";
static const char FINAL_FRAME_STRING[] = "AWSKMSEncryptionClient Final Frame";
static const char COMMIT_LABEL[] = "COMMITKEY";
static const char KEY_LABEL[] = "DERIVEKEY";

/* Keys `h` with the PRK of this message id and data key, and writes the 64-byte commitment (its first 32 go on the wire). */
static inline void kdf_commitment(hmac512_t *h, const uint8_t *id, const uint8_t *data_key, uint8_t commit[64]) {
  static const uint8_t one = 1;
  uint8_t prk[64];
  hmac512_key(h, id, ID_LEN);
  hmac512(h, data_key, KEY_LEN, NULL, 0, prk);
  hmac512_key(h, prk, sizeof prk);
  OPENSSL_cleanse(prk, sizeof prk);
  hmac512(h, (const uint8_t *)COMMIT_LABEL, sizeof COMMIT_LABEL - 1, &one, 1, commit);
}

/* The message's AES-256-GCM key (first 32 bytes of `derived`), from `h` as kdf_commitment left it. */
static inline void kdf_derived_key(const hmac512_t *h, uint8_t derived[64]) {
  static const uint8_t one = 1;
  uint8_t key_info[2 + sizeof KEY_LABEL - 1];
  key_info[0] = (uint8_t)(SUITE_ID >> 8);
  key_info[1] = (uint8_t)(SUITE_ID & 0xff);
  memcpy(key_info + 2, KEY_LABEL, sizeof KEY_LABEL - 1);
  hmac512(h, key_info, sizeof key_info, &one, 1, derived);
}

#endif
