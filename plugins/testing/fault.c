/* fault: a test-only plugin whose misbehaviour is chosen by its arguments (all integers) or, for
 * load-time faults, at compile time. Used by tests/unit/sources_so; not an example to copy.
 *
 * Compile-time variants: FAULT_MAJOR_OFFSET / FAULT_MINOR_OFFSET shift the reported ABI version,
 * FAULT_OMIT_NEXT_BATCH leaves rb_plugin_next_batch out, FAULT_OMIT_VERSION leaves
 * rb_plugin_api_version out.
 *
 * Arguments: fail_init, init_null, fail_open, fail_after (N events then FAILURE), bad_json,
 * not_object, timeouts (K TIMEOUTs, then one event {"timeouts": K}, then EOF) with optional
 * wait_ms (the hint given with each TIMEOUT), never_ready (TIMEOUT with a one-minute hint, for
 * ever), unknown_rc, empty_success (K empty SUCCESS answers, then EOF).
 */
#define _POSIX_C_SOURCE 200809L

#include <rulebook/plugin_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FAULT_MAJOR_OFFSET
#define FAULT_MAJOR_OFFSET 0
#endif
#ifndef FAULT_MINOR_OFFSET
#define FAULT_MINOR_OFFSET 0
#endif

struct rb_plugin_state {
  long long fail_init, init_null, fail_open, fail_after, bad_json, not_object, timeouts, wait_ms,
      never_ready, unknown_rc, empty_success;
  char error[128];
};

struct rb_plugin_instance {
  long long emitted, calls;
  char text[64];
  rb_plugin_event event;
};

/* Lifecycle counters, read by the tests through rbtest_counter (same loaded image). */
static int counters[5]; /* inits, destroys, opens, closes, next_batch calls */

RB_PLUGIN_EXPORT int rbtest_counter(int which) { return counters[which]; }

static long long arg(const char* json, const char* key) {
  char quoted[64];
  const char* p;
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  p = strstr(json, quoted);
  if (p == NULL) return 0;
  p = strchr(p + strlen(quoted), ':');
  return p != NULL ? strtoll(p + 1, NULL, 10) : 0;
}

#ifndef FAULT_OMIT_VERSION
void rb_plugin_api_version(uint32_t* major, uint32_t* minor) {
  *major = RB_PLUGIN_API_VERSION_MAJOR + FAULT_MAJOR_OFFSET;
  *minor = RB_PLUGIN_API_VERSION_MINOR + FAULT_MINOR_OFFSET;
}
#endif

const char* rb_plugin_name(void) { return "fault"; }

rb_plugin_state* rb_plugin_init(const char* config, rb_plugin_rc* rc) {
  rb_plugin_state* s = calloc(1, sizeof *s);
  ++counters[0];
  s->fail_init = arg(config, "fail_init");
  s->init_null = arg(config, "init_null");
  s->fail_open = arg(config, "fail_open");
  s->fail_after = arg(config, "fail_after");
  s->bad_json = arg(config, "bad_json");
  s->not_object = arg(config, "not_object");
  s->timeouts = arg(config, "timeouts");
  s->wait_ms = strstr(config, "\"wait_ms\"") != NULL ? arg(config, "wait_ms") : -1;
  s->never_ready = arg(config, "never_ready");
  s->unknown_rc = arg(config, "unknown_rc");
  s->empty_success = arg(config, "empty_success");
  if (s->init_null) {
    ++counters[1]; /* nothing to destroy: count it as destroyed */
    free(s);
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  if (s->fail_init) {
    snprintf(s->error, sizeof s->error, "init refused: fail_init was set");
    *rc = RB_PLUGIN_FAILURE;
    return s;
  }
  *rc = RB_PLUGIN_SUCCESS;
  return s;
}

void rb_plugin_destroy(rb_plugin_state* s) {
  ++counters[1];
  free(s);
}

const char* rb_plugin_last_error(rb_plugin_state* s) { return s->error[0] ? s->error : NULL; }

rb_plugin_instance* rb_plugin_open(rb_plugin_state* s, const char* params, rb_plugin_rc* rc) {
  (void)params;
  if (s->fail_open) {
    snprintf(s->error, sizeof s->error, "open refused: fail_open was set");
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  ++counters[2];
  *rc = RB_PLUGIN_SUCCESS;
  return calloc(1, sizeof(rb_plugin_instance));
}

#ifndef FAULT_OMIT_NEXT_BATCH
static rb_plugin_rc emit(rb_plugin_instance* h, const char* text, const rb_plugin_event** events,
                         uint32_t* count) {
  snprintf(h->text, sizeof h->text, "%s", text);
  h->event.json = h->text;
  h->event.len = strlen(h->text);
  *events = &h->event;
  *count = 1;
  ++h->emitted;
  return RB_PLUGIN_SUCCESS;
}

rb_plugin_rc rb_plugin_next_batch(rb_plugin_state* s, rb_plugin_instance* h,
                                  const rb_plugin_event** events, uint32_t* count,
                                  int32_t* wait_ms) {
  char text[64];
  ++counters[4];
  ++h->calls;
  if (s->unknown_rc) return 42;
  if (s->never_ready) {
    *wait_ms = 60000;
    return RB_PLUGIN_TIMEOUT;
  }
  if (s->bad_json) return emit(h, "{\"n\": ", events, count);
  if (s->not_object) return emit(h, "[1, 2]", events, count);
  if (s->empty_success) {
    if (h->calls > s->empty_success) return RB_PLUGIN_EOF;
    *count = 0;
    return RB_PLUGIN_SUCCESS;
  }
  if (s->timeouts) {
    if (h->calls <= s->timeouts) {
      if (s->wait_ms >= 0) *wait_ms = (int32_t)s->wait_ms;
      return RB_PLUGIN_TIMEOUT;
    }
    if (h->emitted > 0) return RB_PLUGIN_EOF;
    snprintf(text, sizeof text, "{\"timeouts\": %lld}", s->timeouts);
    return emit(h, text, events, count);
  }
  if (s->fail_after) {
    if (h->emitted >= s->fail_after) {
      snprintf(s->error, sizeof s->error, "boom after %lld events", h->emitted);
      return RB_PLUGIN_FAILURE;
    }
    snprintf(text, sizeof text, "{\"i\": %lld}", h->emitted);
    return emit(h, text, events, count);
  }
  return RB_PLUGIN_EOF;
}
#endif

void rb_plugin_close(rb_plugin_state* s, rb_plugin_instance* h) {
  (void)s;
  ++counters[3];
  free(h);
}
