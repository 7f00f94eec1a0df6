/*
 * Opens a section sealed under a subject key (shared/subject-keys/format.ts, step 2) in one call: the data key is
 * unwrapped as the SDK's raw AES keyring unwraps it (node_modules/@aws-crypto/raw-aes-keyring-node/build/main/src/
 * raw_aes_keyring_node.js aesGcmUnwrapKey: AES-256-GCM under the wrapping key, the IV of the provider info, AAD = the
 * serialised encryption context without its length, ciphertext 32 bytes || tag 16), kept on the stack only, then the
 * message is opened with it exactly as openMessage (open.c) does, and the data key is wiped.
 *
 * Why: Node's createDecipheriv costs a few microseconds per call in object setup; in a stream of people who each get
 * an email now and then nearly every section has a data key of its own, so that unwrap ran for nearly every section.
 *
 * openWrappedMessage(message, wrappingKey, ivOffset, wrappedOffset, aad)
 *   message        Buffer: the whole message
 *   wrappingKey    Buffer (32 bytes): the subject key
 *   ivOffset       where the 12-byte unwrap IV lies in message (inside the provider info)
 *   wrappedOffset  where the 48-byte wrapped key || tag lies in message (the encrypted data key)
 *   aad            Buffer: the unwrap's AAD
 * The caller found the offsets by walking the header (shared/decrypt/subject-header.ts); they are only bounds-checked
 * here: a wrong offset cannot open anything, since the unwrap's tag and then the header tag and commitment must hold.
 */
#include <node_api.h>
#include <openssl/crypto.h>
#include <string.h>
#include "open.h"
#include "sdk-kdf.h"

#define WRAPPED_LEN (KEY_LEN + TAG_LEN)

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "SP_OPEN_NATIVE", "native open: bad call " #call); return NULL; } } while (0)
#define FAIL(msg) do { napi_throw_error(env, "SP_OPEN_NATIVE", msg); return NULL; } while (0)

static const uint8_t ZERO_KEY[KEY_LEN];

/* The data key into out (32 bytes); 0 when the unwrap's tag authenticates. */
static int unwrap(EVP_CIPHER_CTX *ctx, const uint8_t *kek, const uint8_t *iv, const uint8_t *wrapped, const uint8_t *aad, size_t aad_len, uint8_t *out) {
  int n, ok;
  if (aad_len > 0x7fffffffu) return -1;
  ok = EVP_DecryptInit_ex(ctx, NULL, NULL, kek, iv) == 1 &&
       (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
       EVP_DecryptUpdate(ctx, out, &n, wrapped, KEY_LEN) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(wrapped + KEY_LEN)) == 1 &&
       EVP_DecryptFinal_ex(ctx, out + KEY_LEN, &n) == 1;
  EVP_DecryptInit_ex(ctx, NULL, NULL, ZERO_KEY, NULL);
  return ok ? 0 : -1;
}

static napi_value OpenWrappedMessage(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  EVP_CIPHER_CTX *ctx;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&ctx));
  if (argc != 5) FAIL("native open: 5 arguments expected (message, wrappingKey, ivOffset, wrappedOffset, aad)");
  uint8_t *m, *kek, *aad;
  size_t len, kek_len, aad_len;
  uint32_t iv_at, wrapped_at;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&m, &len));
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&kek, &kek_len));
  CHECK(napi_get_value_uint32(env, argv[2], &iv_at));
  CHECK(napi_get_value_uint32(env, argv[3], &wrapped_at));
  CHECK(napi_get_buffer_info(env, argv[4], (void **)&aad, &aad_len));
  if (kek_len != KEY_LEN) FAIL("native open: the wrapping key must be 32 bytes");
  if ((size_t)iv_at > len || len - iv_at < IV_LEN || (size_t)wrapped_at > len || len - wrapped_at < WRAPPED_LEN) FAIL("Malformed providerInfo");
  uint8_t data_key[KEY_LEN + TAG_LEN];
  if (unwrap(ctx, kek, m + iv_at, m + wrapped_at, aad, aad_len, data_key) != 0) {
    OPENSSL_cleanse(data_key, sizeof data_key);
    FAIL("Unsupported state or unable to authenticate data");
  }
  napi_value result = open_with_key(env, ctx, m, len, data_key);
  OPENSSL_cleanse(data_key, sizeof data_key);
  return result;
}

int open_wrapped_init(napi_env env, napi_value exports, EVP_CIPHER_CTX *ctx) {
  napi_value fn;
  if (napi_create_function(env, "openWrappedMessage", NAPI_AUTO_LENGTH, OpenWrappedMessage, ctx, &fn) != napi_ok) return -1;
  return napi_set_named_property(env, exports, "openWrappedMessage", fn) == napi_ok ? 0 : -1;
}
