/*
 * malloc_trim(0) for Node: hands the free pages of glibc's heap back to the system.
 *
 * After a crowd has come and gone, glibc's main arena keeps most of what the crowd's buffers took:
 * it returns only the top of the heap, and what is still alive is scattered through it. Node has no
 * way to ask for the rest back; this is that way. Elsewhere than glibc it does nothing (`supported`
 * is false).
 */
#define NAPI_VERSION 8
#include <stdlib.h> /* defines __GLIBC__ where the C library is glibc */
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* trim(): true when memory was given back. */
static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if defined(__GLIBC__)
  released = malloc_trim(0);
#endif
  napi_value result = NULL;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn = NULL;
  napi_value supported = NULL;
#if defined(__GLIBC__)
  const int glibc = 1;
#else
  const int glibc = 0;
#endif
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "trim", fn) != napi_ok ||
      napi_get_boolean(env, glibc, &supported) != napi_ok ||
      napi_set_named_property(env, exports, "supported", supported) != napi_ok) {
    napi_throw_error(env, NULL, "malloc-trim: could not set up the module");
    return NULL;
  }
  return exports;
}
