/* The opening half of the native core (open.c): registers openMessage on the addon's exports. */
#ifndef SEALPOST_OPEN_H
#define SEALPOST_OPEN_H
#include <node_api.h>

/* Adds openMessage to exports and gives this environment (main thread or worker) its own cipher context; 0 on success. */
int open_init(napi_env env, napi_value exports);

#endif
