/* The blind-index half of the native core (blind-index.c): registers blindIndexes on the addon's exports. */
#ifndef SEALPOST_BLIND_INDEX_H
#define SEALPOST_BLIND_INDEX_H
#include <node_api.h>

/* Adds blindIndexes to exports; 0 on success. */
int blind_index_init(napi_env env, napi_value exports);

#endif
