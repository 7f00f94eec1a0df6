/* The opening half of the native core (open.c): registers openMessage on the addon's exports. */
#ifndef SEALPOST_OPEN_H
#define SEALPOST_OPEN_H
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>

/* Adds openMessage to exports and gives this environment (main thread or worker) its own cipher context; 0 on success. */
int open_init(napi_env env, napi_value exports);

/* Opens message (len bytes) with its 32-byte data key on ctx (openMessage's steps): the plaintext, or NULL with a
 * JavaScript error thrown. ctx is left keyed with zeros. */
napi_value open_with_key(napi_env env, EVP_CIPHER_CTX *ctx, const uint8_t *m, size_t len, const uint8_t *key);

/* Adds openWrappedMessage (open-wrapped.c), sharing this environment's cipher context; 0 on success. */
int open_wrapped_init(napi_env env, napi_value exports, EVP_CIPHER_CTX *ctx);

#endif
