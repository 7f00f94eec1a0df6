/*
 * Opens one AWS Encryption SDK message of the kind Sealpost writes (format V2, suite 0x0478, framed,
 * unsigned) once the caller holds its data key: the native twin of shared/decrypt/fast-open.ts +
 * fast-body.ts (see there for the SDK sources each step mirrors), with Node's own OpenSSL.
 *
 * Why: in JavaScript the same steps cost three createHmac and one createDecipheriv per frame plus
 * one for the header (~7.6 us of cipher setup each); here one cipher context per thread serves every
 * call and HMAC-SHA512 runs on SHA512 contexts with the pads absorbed once.
 *
 * openMessage(message, dataKey)
 *   message       Buffer: the whole message
 *   dataKey       Buffer (32 bytes): the unencrypted data key
 * returns the plaintext, or throws (never crashes) when a length, the commitment, the header tag, a
 * frame's structure or tag does not check out, with the SDK's messages. Every offset is checked in size_t.
 *
 * The header's length, content type and frame length are read from the header itself (walk_header, as
 * deserialize_header_v2.js reads them), never taken from the caller: the frames are then walked with the
 * frame length the header states, and the header tag authenticates that statement, as in the stock decrypt.
 */
#include "open.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#include "sdk-kdf.h"

#define ID_OFF 3
#define SEQ_END 0xffffffffu
/* version 1 | suite 2 | id 32 | EC length 2 | EDK count 2 | content type 1 | frame length 4 | commitment 32 */
#define MIN_HEADER (1 + 2 + ID_LEN + 2 + 2 + 1 + 4 + COMMIT_LEN)

static const uint8_t ZERO_KEY[KEY_LEN];

static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | (uint32_t)p[1]; }

#define CONTENT_FRAMED 2

/*
 * Walks a V2 header's length fields (deserialize_header_v2.js: version, suite, message id, encryption context,
 * encrypted data keys as three length-prefixed fields each, content type, frame length, suite data) and finds
 * the header's length (without the auth tag that must follow it), content type and frame length. NULL or the
 * SDK's message: a length running past the message is an incomplete header; no data key, or a content type
 * other than framed (the only one this core opens; non-framed messages go to the stock decrypt), is refused.
 */
static const char *walk_header(const uint8_t *m, size_t len, size_t *header_len, uint32_t *frame_len) {
  size_t pos = 1 + 2 + ID_LEN, count, i;
  if (len < pos + 2) return "Incomplete Header";
  pos += 2 + get16(m + pos);
  if (pos > len || len - pos < 2) return "Incomplete Header";
  count = get16(m + pos);
  pos += 2;
  if (count == 0) return "No EncryptedDataKey found.";
  for (i = 0; i < count * 3; i++) {
    if (pos > len || len - pos < 2) return "Incomplete Header";
    pos += 2 + get16(m + pos);
  }
  if (pos > len || len - pos < 1 + 4 + COMMIT_LEN + TAG_LEN) return "Incomplete Header";
  if (m[pos] != CONTENT_FRAMED) return m[pos] == 1 ? "native open: non-framed content is opened by the stock decrypt" : "Unknown contentType";
  *frame_len = get32(m + pos + 1);
  *header_len = pos + 1 + 4 + COMMIT_LEN;
  if (*header_len > 0x7fffffffu) return "Header too large.";
  return NULL;
}

/* One frame located by the structural pass. */
typedef struct { size_t iv, content, tag; uint32_t seq, len; int is_final; } frame_t;

/* Walks the body as decode_body_header.js + verify_stream.js do; returns NULL or the SDK's message. */
static const char *next_frame(const uint8_t *m, size_t len, size_t pos, uint32_t frame_len, uint32_t expected, frame_t *f) {
  if (pos > len || len - pos < 4 + IV_LEN) return "Incomplete message";
  uint32_t seq = get32(m + pos);
  if (seq == 0) return "Malformed sequenceNumber.";
  f->is_final = seq == SEQ_END;
  if (f->is_final) {
    if (len - pos < 4 + 4 + IV_LEN + 4) return "Incomplete message";
    seq = get32(m + pos + 4);
    if (seq == 0) return "Malformed sequenceNumber.";
    f->iv = pos + 8;
    f->len = get32(m + pos + 8 + IV_LEN);
    if (f->len > frame_len) return "Final frame length exceeds frame length.";
    f->content = pos + 8 + IV_LEN + 4;
  } else {
    f->iv = pos + 4;
    f->len = frame_len;
    f->content = pos + 4 + IV_LEN;
  }
  if (seq != expected) return "Encrypted body sequence out of order.";
  if ((uint64_t)f->len + TAG_LEN > (uint64_t)(len - f->content)) return "Incomplete message";
  if (f->len > 0x7fffffffu) return "Frame too large.";
  f->tag = f->content + f->len;
  f->seq = seq;
  return NULL;
}

/* Decrypts one frame into out (f->len bytes); 0 when its tag authenticates. */
static int open_frame(EVP_CIPHER_CTX *ctx, const uint8_t *m, const uint8_t *id, const frame_t *f, uint8_t *out) {
  uint8_t aad[ID_LEN + sizeof FINAL_FRAME_STRING - 1 + 4 + 8];
  const char *label = f->is_final ? FINAL_FRAME_STRING : FRAME_STRING;
  size_t label_len = f->is_final ? sizeof FINAL_FRAME_STRING - 1 : sizeof FRAME_STRING - 1, a = 0;
  int n;
  memcpy(aad, id, ID_LEN); a += ID_LEN;
  memcpy(aad + a, label, label_len); a += label_len;
  put32(aad + a, f->seq); a += 4;
  put32(aad + a, 0); put32(aad + a + 4, f->len); a += 8;
  if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, m + f->iv) != 1) return -1;
  if (EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)a) != 1) return -1;
  if (f->len > 0 && EVP_DecryptUpdate(ctx, out, &n, m + f->content, (int)f->len) != 1) return -1;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(m + f->tag)) != 1) return -1;
  return EVP_DecryptFinal_ex(ctx, out + f->len, &n) == 1 ? 0 : -1;
}

static const char AUTH_FAILED[] = "Unsupported state or unable to authenticate data";

/* Derives the key, checks the commitment and the header tag, leaves ctx keyed; NULL or the message. */
static const char *open_header(EVP_CIPHER_CTX *ctx, const uint8_t *m, size_t header_len, const uint8_t *data_key) {
  uint8_t commit[64], derived[64], iv[IV_LEN] = {0};
  hmac512_t h;
  const char *err = NULL;
  int n;
  kdf_commitment(&h, m + ID_OFF, data_key, commit);
  /* The commitment is compared BEFORE the key is derived, in constant time (as timingSafeEqual). */
  if (CRYPTO_memcmp(commit, m + header_len - COMMIT_LEN, COMMIT_LEN) != 0) { err = "Commitment does not match."; goto done; }
  kdf_derived_key(&h, derived);
  /* Header auth: IV = 12 zero bytes (V2), AAD = the header, no plaintext, tag right after the header. */
  err = AUTH_FAILED;
  if (EVP_DecryptInit_ex(ctx, NULL, NULL, derived, iv) != 1) goto done;
  if (EVP_DecryptUpdate(ctx, NULL, &n, m, (int)header_len) != 1) goto done;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(m + header_len)) != 1) goto done;
  if (EVP_DecryptFinal_ex(ctx, NULL, &n) != 1) goto done;
  err = NULL;
done:
  OPENSSL_cleanse(commit, sizeof commit);
  OPENSSL_cleanse(derived, sizeof derived);
  OPENSSL_cleanse(&h, sizeof h);
  return err;
}

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "SP_OPEN_NATIVE", "native open: bad call " #call); return NULL; } } while (0)
#define FAIL(msg) do { napi_throw_error(env, "SP_OPEN_NATIVE", msg); return NULL; } while (0)

napi_value open_with_key(napi_env env, EVP_CIPHER_CTX *ctx, const uint8_t *m, size_t len, const uint8_t *key) {
  size_t header_len;
  uint32_t frame_len;
  if (len < MIN_HEADER + TAG_LEN) FAIL("Incomplete Header");
  if (get32(m) >> 8 != (2u << 16 | SUITE_ID)) FAIL("Unsupported algorithm suite.");
  const char *bad = walk_header(m, len, &header_len, &frame_len);
  if (bad) FAIL(bad);

  /* Structure first (no plaintext is produced for a malformed body), then the cryptography. */
  size_t pos = header_len + TAG_LEN, total = 0, frames = 0;
  frame_t f;
  for (uint32_t expected = 1;; expected++) {
    const char *err = next_frame(m, len, pos, frame_len, expected, &f);
    if (err) FAIL(err);
    total += f.len;
    frames++;
    pos = f.tag + TAG_LEN;
    if (f.is_final) break;
  }
  if (pos != len) FAIL("Unexpected bytes after the final frame.");

  const char *err = open_header(ctx, m, header_len, key);
  if (err) { EVP_DecryptInit_ex(ctx, NULL, NULL, ZERO_KEY, NULL); FAIL(err); }
  uint8_t *out;
  napi_value result;
  if (napi_create_buffer(env, total, (void **)&out, &result) != napi_ok) {
    EVP_DecryptInit_ex(ctx, NULL, NULL, ZERO_KEY, NULL);
    FAIL("native open: out of memory");
  }
  size_t at = 0;
  pos = header_len + TAG_LEN;
  for (uint32_t seq = 1; seq <= frames; seq++) {
    next_frame(m, len, pos, frame_len, seq, &f); /* checked above */
    if (open_frame(ctx, m, m + ID_OFF, &f, out + at) != 0) { err = AUTH_FAILED; break; }
    at += f.len;
    pos = f.tag + TAG_LEN;
  }
  /* The derived key's schedule is overwritten before the context waits for the next call. */
  EVP_DecryptInit_ex(ctx, NULL, NULL, ZERO_KEY, NULL);
  if (err) { OPENSSL_cleanse(out, total); FAIL(err); }
  return result;
}

static napi_value OpenMessage(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  EVP_CIPHER_CTX *ctx;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&ctx));
  if (argc != 2) FAIL("native open: 2 arguments expected (message, dataKey)");
  uint8_t *m, *key;
  size_t len, key_len;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&m, &len));
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&key, &key_len));
  if (key_len != KEY_LEN) FAIL("native open: the data key must be 32 bytes");
  return open_with_key(env, ctx, m, len, key);
}

int open_init(napi_env env, napi_value exports) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  napi_value fn;
  if (!ctx) return -1;
  if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
      napi_add_env_cleanup_hook(env, (void (*)(void *))EVP_CIPHER_CTX_free, ctx) != napi_ok) {
    EVP_CIPHER_CTX_free(ctx);
    return -1;
  }
  if (napi_create_function(env, "openMessage", NAPI_AUTO_LENGTH, OpenMessage, ctx, &fn) != napi_ok) return -1;
  if (napi_set_named_property(env, exports, "openMessage", fn) != napi_ok) return -1;
  return open_wrapped_init(env, exports, ctx);
}
