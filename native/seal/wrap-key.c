/*
 * Wraps a data key under a subject key as the SDK's raw AES keyring does (node_modules/@aws-crypto/raw-aes-keyring-node/
 * build/main/src/raw_aes_keyring_node.js aesGcmWrapKey: AES-256-GCM under the wrapping key, a random 12-byte IV, AAD = the
 * serialised encryption context without its length), writing ciphertext || 16-byte tag into a buffer the caller owns
 * (the header template of a section under a new subject key: shared/seal/subject-template.ts).
 *
 * Why: Node's createCipheriv costs ~5 µs per call in object setup, and a stream of people who each get an email now and
 * then makes a new subject key, so a wrap, for nearly every event and department.
 *
 * wrapKey(wrappingKey, iv, plaintext, aad, out, outOffset)
 *   wrappingKey  Buffer (32 bytes): the subject key
 *   iv           Buffer (12 bytes)
 *   plaintext    Buffer: the data key (at most 64 bytes)
 *   aad          Buffer: the wrap's AAD
 *   out          Buffer: receives plaintext.length + 16 bytes at outOffset
 */
#include <node_api.h>
#include <openssl/evp.h>
#include <string.h>
#include "wrap-key.h"

#define KEY_LEN 32
#define IV_LEN 12
#define TAG_LEN 16
#define MAX_PLAINTEXT 64

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "SP_SEAL_NATIVE", "native wrap: bad call " #call); return NULL; } } while (0)
#define FAIL(msg) do { napi_throw_error(env, "SP_SEAL_NATIVE", msg); return NULL; } while (0)

static const uint8_t ZERO_KEY[KEY_LEN];

static napi_value WrapKey(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  EVP_CIPHER_CTX *ctx;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&ctx));
  if (argc != 6) FAIL("native wrap: 6 arguments expected (wrappingKey, iv, plaintext, aad, out, outOffset)");
  uint8_t *kek, *iv, *pt, *aad, *out;
  size_t kek_len, iv_len, pt_len, aad_len, out_len;
  uint32_t at;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&kek, &kek_len));
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&iv, &iv_len));
  CHECK(napi_get_buffer_info(env, argv[2], (void **)&pt, &pt_len));
  CHECK(napi_get_buffer_info(env, argv[3], (void **)&aad, &aad_len));
  CHECK(napi_get_buffer_info(env, argv[4], (void **)&out, &out_len));
  CHECK(napi_get_value_uint32(env, argv[5], &at));
  if (kek_len != KEY_LEN) FAIL("native wrap: the wrapping key must be 32 bytes");
  if (iv_len != IV_LEN) FAIL("native wrap: the IV must be 12 bytes");
  if (pt_len == 0 || pt_len > MAX_PLAINTEXT) FAIL("native wrap: 1 to 64 bytes to wrap");
  if (aad_len > 0x7fffffffu) FAIL("native wrap: AAD too long");
  if ((size_t)at > out_len || out_len - at < pt_len + TAG_LEN) FAIL("native wrap: the output does not fit");
  int n;
  int ok = EVP_EncryptInit_ex(ctx, NULL, NULL, kek, iv) == 1 &&
           (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
           EVP_EncryptUpdate(ctx, out + at, &n, pt, (int)pt_len) == 1 &&
           EVP_EncryptFinal_ex(ctx, out + at + pt_len, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + at + pt_len) == 1;
  EVP_EncryptInit_ex(ctx, NULL, NULL, ZERO_KEY, NULL);
  if (!ok) FAIL("native wrap: AES-256-GCM failed");
  return NULL;
}

int wrap_key_init(napi_env env, napi_value exports) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  napi_value fn;
  if (!ctx) return -1;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
      napi_add_env_cleanup_hook(env, (void (*)(void *))EVP_CIPHER_CTX_free, ctx) != napi_ok) {
    EVP_CIPHER_CTX_free(ctx);
    return -1;
  }
  if (napi_create_function(env, "wrapKey", NAPI_AUTO_LENGTH, WrapKey, ctx, &fn) != napi_ok) return -1;
  return napi_set_named_property(env, exports, "wrapKey", fn) == napi_ok ? 0 : -1;
}
