/* hello_c: the smallest complete .so source, the first example of docs/plugins-c.md. Sends
 * {"hello": 0} .. {"hello": count-1}, one every 100 ms, then ends. Argument: count (default 3).
 *
 * Build it alone with one command (from the repository root):
 *   gcc -std=c99 -O2 -shared -fPIC -I engine/include -o hello_c.so plugins/hello_c.c
 */
#include <rulebook/plugin_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rb_plugin_state {
  int count;
  char error[128];
};

struct rb_plugin_instance {
  int next;
  int waited;    /* 1 after a TIMEOUT: the next call sends an event */
  char text[32]; /* the event's JSON, owned here until the next call */
  rb_plugin_event event;
};

void rb_plugin_api_version(uint32_t* major, uint32_t* minor) {
  *major = RB_PLUGIN_API_VERSION_MAJOR;
  *minor = RB_PLUGIN_API_VERSION_MINOR;
}

const char* rb_plugin_name(void) { return "hello_c"; }

rb_plugin_state* rb_plugin_init(const char* config_json, rb_plugin_rc* rc) {
  rb_plugin_state* s = calloc(1, sizeof *s);
  const char* p = config_json != NULL ? strstr(config_json, "\"count\":") : NULL;
  if (s == NULL) {
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  /* The host sends compact JSON ({"count":5}); a real plugin would use a JSON parser. */
  s->count = p != NULL ? atoi(p + 8) : 3;
  if (s->count < 0) {
    snprintf(s->error, sizeof s->error, "argument 'count' must be >= 0");
    *rc = RB_PLUGIN_FAILURE;
    return s; /* the host reads last_error, then calls rb_plugin_destroy */
  }
  *rc = RB_PLUGIN_SUCCESS;
  return s;
}

void rb_plugin_destroy(rb_plugin_state* s) { free(s); }

const char* rb_plugin_last_error(rb_plugin_state* s) { return s->error[0] ? s->error : NULL; }

rb_plugin_instance* rb_plugin_open(rb_plugin_state* s, const char* params_json, rb_plugin_rc* rc) {
  rb_plugin_instance* h = calloc(1, sizeof *h);
  (void)params_json;
  if (h == NULL) {
    snprintf(s->error, sizeof s->error, "out of memory");
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  *rc = RB_PLUGIN_SUCCESS;
  return h;
}

rb_plugin_rc rb_plugin_next_batch(rb_plugin_state* s, rb_plugin_instance* h,
                                  const rb_plugin_event** events, uint32_t* count,
                                  int32_t* wait_ms) {
  if (h->next >= s->count) return RB_PLUGIN_EOF;
  if (!h->waited) { /* never sleep here: ask the host to come back in 100 ms */
    h->waited = 1;
    *wait_ms = 100;
    return RB_PLUGIN_TIMEOUT;
  }
  h->waited = 0;
  h->event.len = (size_t)snprintf(h->text, sizeof h->text, "{\"hello\":%d}", h->next++);
  h->event.json = h->text;
  *events = &h->event;
  *count = 1;
  return RB_PLUGIN_SUCCESS;
}

void rb_plugin_close(rb_plugin_state* s, rb_plugin_instance* h) {
  (void)s;
  free(h);
}
