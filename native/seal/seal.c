/*
 * Sealpost's native sealing core: writes standard AWS Encryption SDK messages (format V2, suite
 * 0x0478 ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, framed, unsigned) for a batch of
 * plaintexts under one data key, byte for byte what shared/seal/fast-message.ts writes in
 * JavaScript (see that file for the SDK sources each step mirrors), with Node's own OpenSSL.
 *
 * Why: in JavaScript every message costs three createHmac and two createCipheriv objects (~19 us
 * of the ~27 us per section); here one cipher context serves the whole batch (a new key and IV per
 * message, a new IV per frame) and HMAC-SHA512 runs on SHA512 contexts with the pads absorbed once.
 *
 * sealBatch(template, idOffset, commitOffset, dataKey, frameLength, plaintexts, lengths, messageIds)
 *   template     Buffer: the serialised header of these materials (message id and commitment patched per message)
 *   dataKey      Buffer (32 bytes): the materials' unencrypted data key
 *   plaintexts   Buffer: every plaintext, back to back; lengths: Uint32Array, one per message
 *   messageIds   Buffer: 32 random bytes per message
 * returns one Buffer holding the messages back to back (their lengths follow from the plaintext lengths).
 */
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>
#include "blind-index.h"
#include "wrap-key.h"
#include "open.h"
#include "sdk-kdf.h"

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static size_t message_size(size_t header_len, size_t frame_len, size_t pt_len) {
  size_t full = pt_len / frame_len, final_len = pt_len - full * frame_len;
  return header_len + TAG_LEN + full * (4 + IV_LEN + frame_len + TAG_LEN) + (4 + 4 + IV_LEN + 4 + final_len + TAG_LEN);
}

/* One message into out (message_size bytes); returns 0 on success. */
static int write_message(EVP_CIPHER_CTX *ctx, const uint8_t *tmpl, size_t header_len, size_t id_off, size_t commit_off,
                         const uint8_t *data_key, uint32_t frame_len, const uint8_t *pt, size_t pt_len,
                         const uint8_t *id, uint8_t *out) {
  uint8_t commit[64], derived[64], iv[IV_LEN], aad[ID_LEN + sizeof FINAL_FRAME_STRING - 1 + 4 + 8];
  hmac512_t h;
  int len, rc = -1;

  memcpy(out, tmpl, header_len);
  memcpy(out + id_off, id, ID_LEN);
  kdf_commitment(&h, id, data_key, commit);
  kdf_derived_key(&h, derived);
  memcpy(out + commit_off, commit, COMMIT_LEN);

  /* Header auth: AES-GCM under the derived key, 12 zero bytes of IV, AAD = the header, no plaintext. */
  memset(iv, 0, sizeof iv);
  if (EVP_EncryptInit_ex(ctx, NULL, NULL, derived, iv) != 1) goto done;
  if (EVP_EncryptUpdate(ctx, NULL, &len, out, (int)header_len) != 1) goto done;
  if (EVP_EncryptFinal_ex(ctx, out + header_len, &len) != 1) goto done;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + header_len) != 1) goto done;

  size_t pos = header_len + TAG_LEN;
  size_t full = pt_len / frame_len, final_len = pt_len - full * frame_len;
  memcpy(aad, id, ID_LEN);
  for (uint32_t seq = 1; seq <= full + 1; seq++) {
    int is_final = seq == full + 1;
    size_t content = is_final ? final_len : frame_len;
    const char *label = is_final ? FINAL_FRAME_STRING : FRAME_STRING;
    size_t label_len = is_final ? sizeof FINAL_FRAME_STRING - 1 : sizeof FRAME_STRING - 1;
    if (is_final) { put32(out + pos, 0xffffffffu); pos += 4; }
    put32(out + pos, seq); pos += 4;
    memset(out + pos, 0, IV_LEN - 4);
    put32(out + pos + IV_LEN - 4, seq);
    memcpy(iv, out + pos, IV_LEN);
    pos += IV_LEN;
    if (is_final) { put32(out + pos, (uint32_t)content); pos += 4; }
    size_t a = ID_LEN;
    memcpy(aad + a, label, label_len); a += label_len;
    put32(aad + a, seq); a += 4;
    put32(aad + a, (uint32_t)((uint64_t)content >> 32)); put32(aad + a + 4, (uint32_t)content); a += 8;
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) goto done;
    if (EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)a) != 1) goto done;
    if (content > 0) {
      if (EVP_EncryptUpdate(ctx, out + pos, &len, pt + (size_t)(seq - 1) * frame_len, (int)content) != 1) goto done;
      pos += (size_t)len;
    }
    if (EVP_EncryptFinal_ex(ctx, out + pos, &len) != 1) goto done;
    pos += (size_t)len;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + pos) != 1) goto done;
    pos += TAG_LEN;
  }
  rc = 0;
done:
  OPENSSL_cleanse(commit, sizeof commit);
  OPENSSL_cleanse(derived, sizeof derived);
  OPENSSL_cleanse(&h, sizeof h);
  return rc;
}

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "SP_SEAL_NATIVE", "native seal: bad call " #call); return NULL; } } while (0)
#define FAIL(msg) do { napi_throw_error(env, "SP_SEAL_NATIVE", "native seal: " msg); return NULL; } while (0)

/*
 * Checks the plaintext lengths against the buffer, then writes message i under materials group[i] (0 for
 * all when group is NULL), described by layout[4m..4m+3] (template offset, header length, idOffset,
 * commitOffset; already checked against the templates) and keys + 32m, into one new Buffer.
 */
static napi_value seal_all(napi_env env, const uint8_t *tmpls, const uint32_t *layout, const uint8_t *keys, uint32_t frame_len,
                           const uint8_t *pts, size_t pts_len, const uint32_t *lengths, const uint32_t *group, size_t count,
                           const uint8_t *ids) {
  size_t total = 0, sum = 0;
  for (size_t i = 0; i < count; i++) {
    sum += lengths[i];
    total += message_size(layout[4 * (group ? group[i] : 0) + 1], frame_len, lengths[i]);
    if ((uint64_t)lengths[i] / frame_len + 2 >= 0xffffffffu) FAIL("too many frames");
  }
  if (sum != pts_len) FAIL("plaintext lengths do not add up to the plaintext buffer");

  uint8_t *out;
  napi_value result;
  CHECK(napi_create_buffer(env, total, (void **)&out, &result));
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) FAIL("out of memory");
  if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1) { EVP_CIPHER_CTX_free(ctx); FAIL("AES-256-GCM unavailable"); }
  size_t pt_pos = 0, out_pos = 0;
  for (size_t i = 0; i < count; i++) {
    size_t m = group ? group[i] : 0;
    const uint32_t *l = layout + 4 * m;
    if (write_message(ctx, tmpls + l[0], l[1], l[2], l[3], keys + m * KEY_LEN, frame_len, pts + pt_pos, lengths[i], ids + i * ID_LEN, out + out_pos) != 0) {
      EVP_CIPHER_CTX_free(ctx);
      OPENSSL_cleanse(out, total);
      FAIL("OpenSSL failed to encrypt");
    }
    pt_pos += lengths[i];
    out_pos += message_size(l[1], frame_len, lengths[i]);
  }
  EVP_CIPHER_CTX_free(ctx);
  return result;
}

static napi_value SealBatch(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) FAIL("8 arguments expected");
  uint8_t *tmpl, *key, *pts, *ids;
  size_t header_len, key_len, pts_len, ids_len;
  uint32_t id_off, commit_off, frame_len;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&tmpl, &header_len));
  CHECK(napi_get_value_uint32(env, argv[1], &id_off));
  CHECK(napi_get_value_uint32(env, argv[2], &commit_off));
  CHECK(napi_get_buffer_info(env, argv[3], (void **)&key, &key_len));
  CHECK(napi_get_value_uint32(env, argv[4], &frame_len));
  CHECK(napi_get_buffer_info(env, argv[5], (void **)&pts, &pts_len));
  napi_typedarray_type type;
  size_t count, byte_offset;
  void *lengths_data;
  napi_value ab;
  CHECK(napi_get_typedarray_info(env, argv[6], &type, &count, &lengths_data, &ab, &byte_offset));
  CHECK(napi_get_buffer_info(env, argv[7], (void **)&ids, &ids_len));
  if (type != napi_uint32_array) FAIL("lengths must be a Uint32Array");
  if (key_len != KEY_LEN) FAIL("the data key must be 32 bytes");
  if (frame_len < 1) FAIL("frame length must be at least 1");
  if (ids_len != count * ID_LEN) FAIL("one 32-byte message id per plaintext expected");
  if (header_len > 0xffffffffu) FAIL("header template too long");
  // size_t sums: in 32 bits an offset near 2^32 wraps past the check and the copy lands outside the template.
  if ((size_t)id_off + ID_LEN > header_len || (size_t)commit_off + COMMIT_LEN > header_len) FAIL("header template too short");
  const uint32_t layout[4] = {0, (uint32_t)header_len, id_off, commit_off};
  return seal_all(env, tmpl, layout, key, frame_len, pts, pts_len, (const uint32_t *)lengths_data, NULL, count, ids);
}

/*
 * sealGroups(templates, layout, dataKeys, frameLength, plaintexts, lengths, group, messageIds)
 *   templates    Buffer: the header templates of several materials, back to back
 *   layout       Uint32Array: per materials [template offset, header length, idOffset, commitOffset]
 *   dataKeys     Buffer: 32 bytes per materials, in the same order
 *   group        Uint32Array: per message, the index of its materials
 * The same messages as one sealBatch per materials, in one call and one cipher context: a batch sealed
 * under many subject keys (a few sections each) would otherwise pay a call and a context per key.
 */
static napi_value SealGroups(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) FAIL("8 arguments expected");
  uint8_t *tmpls, *keys, *pts, *ids;
  size_t tmpls_len, keys_len, pts_len, ids_len, n_layout, count, n_group, byte_offset;
  uint32_t frame_len;
  void *layout_data, *lengths_data, *group_data;
  napi_typedarray_type t1, t2, t3;
  napi_value ab;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&tmpls, &tmpls_len));
  CHECK(napi_get_typedarray_info(env, argv[1], &t1, &n_layout, &layout_data, &ab, &byte_offset));
  CHECK(napi_get_buffer_info(env, argv[2], (void **)&keys, &keys_len));
  CHECK(napi_get_value_uint32(env, argv[3], &frame_len));
  CHECK(napi_get_buffer_info(env, argv[4], (void **)&pts, &pts_len));
  CHECK(napi_get_typedarray_info(env, argv[5], &t2, &count, &lengths_data, &ab, &byte_offset));
  CHECK(napi_get_typedarray_info(env, argv[6], &t3, &n_group, &group_data, &ab, &byte_offset));
  CHECK(napi_get_buffer_info(env, argv[7], (void **)&ids, &ids_len));
  if (t1 != napi_uint32_array || t2 != napi_uint32_array || t3 != napi_uint32_array) FAIL("layout, lengths and group must be Uint32Arrays");
  const uint32_t *layout = (const uint32_t *)layout_data, *group = (const uint32_t *)group_data;
  size_t n_mat = n_layout / 4;
  if (n_layout % 4 != 0 || keys_len != n_mat * KEY_LEN) FAIL("four layout numbers and one 32-byte data key per materials expected");
  if (n_group != count || ids_len != count * ID_LEN) FAIL("one group and one 32-byte message id per plaintext expected");
  if (frame_len < 1) FAIL("frame length must be at least 1");
  for (size_t m = 0; m < n_mat; m++) {
    size_t off = layout[4 * m], len = layout[4 * m + 1];
    if (off + len > tmpls_len || (size_t)layout[4 * m + 2] + ID_LEN > len || (size_t)layout[4 * m + 3] + COMMIT_LEN > len) FAIL("header template out of range");
  }
  for (size_t i = 0; i < count; i++) if (group[i] >= n_mat) FAIL("group index out of range");
  return seal_all(env, tmpls, layout, keys, frame_len, pts, pts_len, (const uint32_t *)lengths_data, group, count, ids);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "sealBatch", NAPI_AUTO_LENGTH, SealBatch, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "sealBatch", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "sealGroups", NAPI_AUTO_LENGTH, SealGroups, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "sealGroups", fn) != napi_ok) return NULL;
  if (open_init(env, exports) != 0) return NULL;
  if (blind_index_init(env, exports) != 0) return NULL;
  if (wrap_key_init(env, exports) != 0) return NULL;
  return exports;
}
