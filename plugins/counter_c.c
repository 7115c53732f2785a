/* counter_c: a rulebook .so source in plain C99. Emits {"n": 0}, {"n": 1}, ... {"n": limit-1},
 * then ends (RB_PLUGIN_EOF).
 *
 * Arguments (the source's mapping in the rulebook, passed to rb_plugin_init as JSON):
 *   limit        required, integer >= 0: how many events
 *   batch        integer >= 1, default 1024: events per rb_plugin_next_batch call
 *   interval_ms  integer >= 0, default 0: pause between batches. The pause is not a sleep: the
 *                plugin answers RB_PLUGIN_TIMEOUT with the time left in *wait_ms, and the host
 *                waits on its timer.
 *
 * It shows the whole ABI without any library: configuration checked in init with a message in
 * last_error, events written as JSON text into one buffer the plugin owns and reuses, and a
 * TIMEOUT with a wait hint instead of blocking. docs/plugins-c.md walks through it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <rulebook/plugin_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rb_plugin_state {
  long long limit;
  long long batch;
  long long interval_ms;
  char error[256]; /* last_error's text: owned here, valid until the next call */
};

struct rb_plugin_instance {
  long long next;          /* the next n to emit */
  long long due_ms;        /* monotonic time of the next batch when interval_ms > 0 */
  char* text;              /* the JSON of the current batch, all events back to back */
  rb_plugin_event* events; /* (pointer, length) views into `text` */
};

/* Reads the integer value of "key" at the top level of a flat JSON object. A real plugin would
 * use a JSON library; this keeps the example self-contained. Returns 1 found, 0 absent, -1 not
 * an integer. */
static int json_integer(const char* json, const char* key, long long* out) {
  char quoted[64];
  const char* p;
  char* end;
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  p = strstr(json, quoted);
  if (p == NULL) return 0;
  p += strlen(quoted);
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  if (*p++ != ':') return -1;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  if (strncmp(p, "null", 4) == 0) return 0; /* `key:` with nothing after it: the default */
  errno = 0;
  *out = strtoll(p, &end, 10);
  if (end == p || errno != 0 || *end == '.' || *end == 'e' || *end == 'E') return -1;
  return 1;
}

/* Writes {"n":<value>} at `out` (value >= 0) and returns its length. next_batch is the hot path
 * of a source: this is sprintf(out, "{\"n\":%lld}", value) at a fifth of the cost. */
static size_t write_event(char* out, long long value) {
  char digits[20];
  size_t len = 0, i;
  do {
    digits[len++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  memcpy(out, "{\"n\":", 5);
  for (i = 0; i < len; ++i) out[5 + i] = digits[len - 1 - i];
  out[5 + len] = '}';
  return len + 6;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rb_plugin_api_version(uint32_t* major, uint32_t* minor) {
  *major = RB_PLUGIN_API_VERSION_MAJOR;
  *minor = RB_PLUGIN_API_VERSION_MINOR;
}

const char* rb_plugin_name(void) { return "counter_c"; }

/* Fails with a message: the state is returned anyway so the host can read last_error. */
static rb_plugin_state* refuse(rb_plugin_state* s, rb_plugin_rc* rc, const char* key,
                               const char* what) {
  snprintf(s->error, sizeof s->error, "argument '%s' %s", key, what);
  *rc = RB_PLUGIN_FAILURE;
  return s;
}

rb_plugin_state* rb_plugin_init(const char* config_json, rb_plugin_rc* rc) {
  rb_plugin_state* s = calloc(1, sizeof *s);
  int found;
  if (s == NULL) {
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  s->batch = 1024;
  found = json_integer(config_json, "limit", &s->limit);
  if (found == 0) return refuse(s, rc, "limit", "is required");
  if (found < 0 || s->limit < 0) return refuse(s, rc, "limit", "must be an integer >= 0");
  if (json_integer(config_json, "batch", &s->batch) < 0 || s->batch < 1 || s->batch > 65536)
    return refuse(s, rc, "batch", "must be an integer from 1 to 65536");
  if (json_integer(config_json, "interval_ms", &s->interval_ms) < 0 || s->interval_ms < 0 ||
      s->interval_ms > 86400000)
    return refuse(s, rc, "interval_ms", "must be an integer from 0 to 86400000");
  *rc = RB_PLUGIN_SUCCESS;
  return s;
}

void rb_plugin_destroy(rb_plugin_state* s) { free(s); }

const char* rb_plugin_last_error(rb_plugin_state* s) { return s->error[0] ? s->error : NULL; }

rb_plugin_instance* rb_plugin_open(rb_plugin_state* s, const char* params_json, rb_plugin_rc* rc) {
  rb_plugin_instance* h = calloc(1, sizeof *h);
  (void)params_json; /* {"name": ..., "ha": ...}: not needed here */
  if (h != NULL) {
    /* 32 bytes hold {"n":9223372036854775807}: enough for any n. */
    h->text = malloc((size_t)s->batch * 32);
    h->events = malloc((size_t)s->batch * sizeof *h->events);
  }
  if (h == NULL || h->text == NULL || h->events == NULL) {
    if (h != NULL) {
      free(h->text);
      free(h->events);
      free(h);
    }
    snprintf(s->error, sizeof s->error, "out of memory");
    *rc = RB_PLUGIN_FAILURE;
    return NULL;
  }
  h->due_ms = now_ms();
  *rc = RB_PLUGIN_SUCCESS;
  return h;
}

rb_plugin_rc rb_plugin_next_batch(rb_plugin_state* s, rb_plugin_instance* h,
                                  const rb_plugin_event** events, uint32_t* count,
                                  int32_t* wait_ms) {
  long long i, n;
  char* out = h->text;
  if (h->next >= s->limit) return RB_PLUGIN_EOF;
  if (s->interval_ms > 0) {
    const long long now = now_ms();
    if (now < h->due_ms) {
      *wait_ms = (int32_t)(h->due_ms - now); /* never sleep: tell the host when to come back */
      return RB_PLUGIN_TIMEOUT;
    }
    h->due_ms = now + s->interval_ms;
  }
  n = s->limit - h->next < s->batch ? s->limit - h->next : s->batch;
  for (i = 0; i < n; ++i) {
    const size_t len = write_event(out, h->next++);
    h->events[i].json = out;
    h->events[i].len = len;
    out += len; /* no NUL needed between events: each one has its length */
  }
  *events = h->events;
  *count = (uint32_t)n;
  return RB_PLUGIN_SUCCESS;
}

void rb_plugin_close(rb_plugin_state* s, rb_plugin_instance* h) {
  (void)s;
  free(h->text);
  free(h->events);
  free(h);
}
