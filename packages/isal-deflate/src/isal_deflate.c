// Node-API binding of the three things a gzip part's segment needs from ISA-L (Intel's Intelligent
// Storage Acceleration Library, Debian's libisal2): raw deflate at ISA-L's level 1 ended with a sync
// flush, the text's CRC-32 (gzip's), and the compressed bytes' CRC-32C (GCS's checksum). One call does
// all three, so a segment crosses into native code once. Each thread (the main one, each worker) gets
// its own stream and level buffer as the addon's instance data: no state is shared between threads.
#include <node_api.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  struct isal_zstream stream;
  uint8_t *level_buf;
} Engine;

static void engine_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Engine *engine = data;
  free(engine->level_buf);
  free(engine);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ISAL_DEFLATE", message);
  return NULL;
}

/** The bytes of a typed array (any element type), or 0 when `value` is not one. */
static int bytes_of(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  napi_typedarray_type type;
  size_t count;
  void *base;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &count, &base, &buffer, &offset) != napi_ok) return 0;
  size_t width = type == napi_uint32_array || type == napi_int32_array || type == napi_float32_array ? 4
      : type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array ? 8
      : type == napi_uint16_array || type == napi_int16_array ? 2 : 1;
  *data = base;
  *length = count * width;
  return 1;
}

static uint32_t crc32c(const uint8_t *data, size_t length, uint32_t crc) {
  // ISA-L's iSCSI CRC takes and returns the register without the final inversion, and an int length.
  uint32_t reg = ~crc;
  for (size_t step; length > 0; data += step, length -= step) {
    step = length < (1u << 30) ? length : (1u << 30);
    reg = crc32_iscsi((unsigned char *)data, (int)step, reg);
  }
  return ~reg;
}

/**
 * segment(raw, out, sums): deflates `raw` into `out` (raw deflate, ended with a sync flush: byte-aligned,
 * not final) and returns the bytes written, or -1 when `out` had too little room (nothing usable was
 * written). sums[0] = CRC-32 of raw, sums[1] = CRC-32C of the bytes written.
 */
static napi_value segment(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *raw, *out, *sums_bytes;
  size_t raw_len, out_len, sums_len;
  if (argc < 3 || !bytes_of(env, argv[0], &raw, &raw_len) || !bytes_of(env, argv[1], &out, &out_len) ||
      !bytes_of(env, argv[2], &sums_bytes, &sums_len) || sums_len < 8)
    return fail(env, "segment(raw: Uint8Array, out: Uint8Array, sums: Uint32Array(2))");
  if (raw_len > INT32_MAX || out_len > UINT32_MAX) return fail(env, "segment: a segment over 2 GiB");
  Engine *engine;
  if (napi_get_instance_data(env, (void **)&engine) != napi_ok || engine == NULL) return fail(env, "segment: no engine for this thread");

  struct isal_zstream *stream = &engine->stream;
  isal_deflate_init(stream);
  stream->level = 1;
  stream->level_buf = engine->level_buf;
  stream->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
  stream->flush = SYNC_FLUSH;
  stream->end_of_stream = 0;
  stream->next_in = raw;
  stream->avail_in = (uint32_t)raw_len;
  stream->next_out = out;
  stream->avail_out = (uint32_t)out_len;
  int status = isal_deflate(stream);
  if (status != COMP_OK) return fail(env, "segment: isal_deflate failed");
  napi_value result;
  // All input taken and room left over: the sync flush is written whole.
  if (stream->avail_in != 0 || stream->avail_out == 0) {
    napi_create_int32(env, -1, &result);
    return result;
  }
  size_t used = out_len - stream->avail_out;
  uint32_t sums[2] = {crc32_gzip_refl(0, raw, raw_len), crc32c(out, used, 0)};
  memcpy(sums_bytes, sums, sizeof sums);
  napi_create_int32(env, (int32_t)used, &result);
  return result;
}

/** crc32c(bytes, crc = 0): CRC-32C of bytes, continuing from crc (as node:zlib's crc32 continues). */
static napi_value crc32c_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *data;
  size_t length;
  if (argc < 1 || !bytes_of(env, argv[0], &data, &length)) return fail(env, "crc32c(bytes: Uint8Array, crc?: number)");
  uint32_t crc = 0;
  if (argc > 1) napi_get_value_uint32(env, argv[1], &crc);
  napi_value result;
  napi_create_uint32(env, crc32c(data, length, crc), &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  Engine *engine = calloc(1, sizeof(Engine));
  if (engine != NULL) engine->level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
  if (engine == NULL || engine->level_buf == NULL) {
    if (engine != NULL) free(engine);
    napi_throw_error(env, "ISAL_DEFLATE", "out of memory");
    return NULL;
  }
  napi_set_instance_data(env, engine, engine_free, NULL);
  napi_property_descriptor methods[] = {
      {"segment", NULL, segment, NULL, NULL, NULL, napi_default, NULL},
      {"crc32c", NULL, crc32c_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, methods);
  return exports;
}
