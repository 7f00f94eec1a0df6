/* The raw AES keyring's wrap of a data key (wrap-key.c): registers wrapKey on the addon's exports. */
#ifndef SEALPOST_WRAP_KEY_H
#define SEALPOST_WRAP_KEY_H
#include <node_api.h>

/* Adds wrapKey to exports with this environment's own cipher context; 0 on success. */
int wrap_key_init(napi_env env, napi_value exports);

#endif
