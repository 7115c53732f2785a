/* plugin_abi.h: the C ABI between rulebook and a .so event source. The only header a plugin needs.
 *
 * Contract in short (docs/plugins-c.md is the full guide):
 * - A plugin is a shared library exporting the functions declared below with C linkage. The
 *   host resolves them by name with dlsym; "required" ones must all be present or the plugin is
 *   refused, "optional" ones may be left out.
 * - Versioning: the plugin reports the RB_PLUGIN_API_VERSION_* it was compiled against. The host
 *   accepts it when the majors are equal and the plugin's minor is at most the host's. A minor
 *   release only adds optional functions, new keys in JSON inputs, or new meanings for values
 *   that were reserved; a major release may change anything.
 * - Threads: the host calls every function of one plugin state from a single thread (its event
 *   loop), never two at once. Distinct states of the same library (two sources using the same
 *   .so) may be called from that same thread in any interleaving, so keep no mutable globals.
 * - Ownership: the plugin allocates and frees everything it returns. A pointer returned by a
 *   function (directly or through an out-parameter) stays valid and unchanged until the host's
 *   next call into the same plugin state, whichever function that is; then the plugin may reuse
 *   or free it. Exceptions: rb_plugin_name() returns a string valid as long as the library is
 *   loaded. Inputs the host passes (strings) are only valid during the call: copy what you keep.
 *   The host never frees plugin memory and the plugin never frees host memory.
 * - Never block: rb_plugin_next_batch must return within a few milliseconds. The host runs all
 *   sources, matching and actions on one thread; a plugin that blocks stalls the whole engine.
 *   When no event is ready, return RB_PLUGIN_TIMEOUT and let the host wait (on the plugin's fd,
 *   or on a timer).
 * - Failures are return codes, with a message from rb_plugin_last_error. A C++ plugin must not
 *   let an exception cross this ABI (plugin_helper.hpp catches them for you). A plugin that
 *   crashes (a signal: SIGSEGV, abort) takes the engine down with it: it runs in-process.
 */
#pragma once
#ifndef RULEBOOK_PLUGIN_ABI_H
#define RULEBOOK_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define RB_PLUGIN_API_VERSION_MAJOR 1
#define RB_PLUGIN_API_VERSION_MINOR 0

/* Return codes. Typed as a fixed-width integer rather than an enum so the size never depends on
 * the compiler. */
typedef int32_t rb_plugin_rc;
#define RB_PLUGIN_SUCCESS 0 /* done; for next_batch: `count` events are returned (count > 0) */
#define RB_PLUGIN_FAILURE 1 /* failed; rb_plugin_last_error says why */
#define RB_PLUGIN_TIMEOUT 2 /* next_batch: no event ready now; call again when ready (below) */
#define RB_PLUGIN_EOF 3     /* next_batch: the source has ended normally; no more events */

/* The declarations below carry default visibility, so a plugin built with -fvisibility=hidden
 * still exports them (its definitions inherit it from these declarations). */
#if defined(__GNUC__)
#define RB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define RB_PLUGIN_EXPORT
#endif

/* Opaque handles. The plugin completes these types (struct rb_plugin_state { ... }; in its own
 * code) or casts its own pointers to them; the host never looks inside. */
typedef struct rb_plugin_state rb_plugin_state;       /* one per source entry: rb_plugin_init */
typedef struct rb_plugin_instance rb_plugin_instance; /* one open stream: rb_plugin_open */

/* One event: the JSON text of an object, `len` bytes at `json`, in UTF-8. It need not be
 * NUL-terminated, so many events may point into one buffer. The text must be a JSON object
 * (ansible-rulebook events are mappings); anything else fails the source. */
typedef struct rb_plugin_event {
  const char* json;
  size_t len;
} rb_plugin_event;

/* ---------------------------------------------------------------------------------------------
 * Required functions
 * ------------------------------------------------------------------------------------------- */

/* Reports the ABI version the plugin was compiled against. Called first, before any other
 * function, so it must not depend on init. Implement it as
 *   *major = RB_PLUGIN_API_VERSION_MAJOR; *minor = RB_PLUGIN_API_VERSION_MINOR; */
RB_PLUGIN_EXPORT void rb_plugin_api_version(uint32_t* major, uint32_t* minor);

/* The plugin's name for logs and error messages, e.g. "counter_c". A static string: valid while
 * the library is loaded. */
RB_PLUGIN_EXPORT const char* rb_plugin_name(void);

/* Creates a plugin state from the source's arguments in the rulebook: `config_json` is a JSON
 * object, "{}" when the rulebook gives none. Check the configuration here, so that a bad argument
 * stops the run before it starts. Called once per source entry, at load time.
 * On success: set *rc = RB_PLUGIN_SUCCESS and return a non-NULL state.
 * On failure: set *rc = RB_PLUGIN_FAILURE and return either NULL, or a state whose
 * rb_plugin_last_error explains the failure (the host reads it, then calls rb_plugin_destroy). */
RB_PLUGIN_EXPORT rb_plugin_state* rb_plugin_init(const char* config_json, rb_plugin_rc* rc);

/* Frees a state from rb_plugin_init, and all it still owns. Called exactly once per non-NULL
 * state, after its instance (if any) was closed. */
RB_PLUGIN_EXPORT void rb_plugin_destroy(rb_plugin_state* state);

/* A human-readable message for the last failure of any function called with `state`, or NULL.
 * Owned by the plugin (see Ownership). The host prefixes it with the plugin's name. */
RB_PLUGIN_EXPORT const char* rb_plugin_last_error(rb_plugin_state* state);

/* Starts producing: opens the stream of events. Called once per state, when the engine starts
 * the source (on the event loop, so it must not block either). `params_json` is a JSON object
 * from the host; in 1.0 it holds
 *   "name": the source's name in the rulebook (string),
 *   "ha":   true when the engine runs in HA mode (boolean).
 * Ignore keys you do not know: later minors may add some.
 * On success: *rc = RB_PLUGIN_SUCCESS and a non-NULL instance. On failure: *rc =
 * RB_PLUGIN_FAILURE, return NULL, and explain through rb_plugin_last_error(state); the source
 * then fails and the host calls rb_plugin_destroy. */
RB_PLUGIN_EXPORT rb_plugin_instance* rb_plugin_open(rb_plugin_state* state, const char* params_json,
                                                    rb_plugin_rc* rc);

/* Returns the next events, without blocking.
 * - RB_PLUGIN_SUCCESS: *events points to an array of *count events (count > 0), owned by the
 *   plugin (see Ownership: valid until the next call with this state). The host parses them all
 *   before it calls anything else. Returning SUCCESS with *count == 0 is treated as TIMEOUT.
 *   The host calls again soon, after letting other work on the loop run; it also honours
 *   back-pressure: while the engine's queue is full it does not call at all.
 * - RB_PLUGIN_TIMEOUT: nothing ready now. The host calls again when the plugin's fd (see
 *   rb_plugin_get_fd) is readable, or after *wait_ms milliseconds if the plugin set it, or,
 *   with neither, after a default delay that starts at 10 ms and backs off to 100 ms. The host
 *   sets *wait_ms = -1 before each call; a plugin that knows when its next event is due sets it
 *   (values below 1 count as 1: the host never spins). With an fd, the fd must not be left
 *   readable on TIMEOUT (drain it), or the host falls back to the timer.
 * - RB_PLUGIN_EOF: the stream has ended (e.g. a count was reached). The source finishes.
 * - RB_PLUGIN_FAILURE: the stream failed; rb_plugin_last_error says why. The source fails.
 * *events and *count are only read on SUCCESS; *wait_ms only on TIMEOUT. */
RB_PLUGIN_EXPORT rb_plugin_rc rb_plugin_next_batch(rb_plugin_state* state,
                                                   rb_plugin_instance* instance,
                                                   const rb_plugin_event** events, uint32_t* count,
                                                   int32_t* wait_ms);

/* Stops the stream and frees the instance. This is also the shutdown notice: the host calls it
 * when the source ends (EOF, FAILURE), when the engine stops the source (shutdown, another
 * source failed), or when it is destroyed, and never calls next_batch afterwards. Must return
 * promptly; stop and join any helper thread here. Called at most once per instance. */
RB_PLUGIN_EXPORT void rb_plugin_close(rb_plugin_state* state, rb_plugin_instance* instance);

/* ---------------------------------------------------------------------------------------------
 * Optional functions (absent = the default described)
 * ------------------------------------------------------------------------------------------- */

/* A file descriptor that becomes readable when next_batch has something to return (an eventfd,
 * timerfd, socket, pipe...), or -1 for none. Called once, right after rb_plugin_open. The host
 * only waits on it (epoll); it never reads, writes or closes it. The fd must stay open until
 * rb_plugin_close. Absent: -1 (the host uses timers). A value below -1 (use -2) is a failure:
 * rb_plugin_last_error says why and the source fails. */
RB_PLUGIN_EXPORT int rb_plugin_get_fd(rb_plugin_state* state, rb_plugin_instance* instance);

/* Tells the instance whether this engine is the HA leader (is_leader = 1) or not (0). Called
 * right after rb_plugin_open (and rb_plugin_get_fd) with the current role, then on every change.
 * Without HA the engine is always the leader. An HA-aware plugin produces only while it is the
 * leader, as ansible-rulebook plugins do with leader_event. Return RB_PLUGIN_FAILURE (with
 * last_error) to fail the source. Absent: the plugin is not told (it produces regardless). */
RB_PLUGIN_EXPORT rb_plugin_rc rb_plugin_set_leadership(rb_plugin_state* state,
                                                       rb_plugin_instance* instance, int is_leader);

/* Function pointer types, for hosts resolving the symbols with dlsym. */
typedef void (*rb_plugin_api_version_fn)(uint32_t*, uint32_t*);
typedef const char* (*rb_plugin_name_fn)(void);
typedef rb_plugin_state* (*rb_plugin_init_fn)(const char*, rb_plugin_rc*);
typedef void (*rb_plugin_destroy_fn)(rb_plugin_state*);
typedef const char* (*rb_plugin_last_error_fn)(rb_plugin_state*);
typedef rb_plugin_instance* (*rb_plugin_open_fn)(rb_plugin_state*, const char*, rb_plugin_rc*);
typedef rb_plugin_rc (*rb_plugin_next_batch_fn)(rb_plugin_state*, rb_plugin_instance*,
                                                const rb_plugin_event**, uint32_t*, int32_t*);
typedef void (*rb_plugin_close_fn)(rb_plugin_state*, rb_plugin_instance*);
typedef int (*rb_plugin_get_fd_fn)(rb_plugin_state*, rb_plugin_instance*);
typedef rb_plugin_rc (*rb_plugin_set_leadership_fn)(rb_plugin_state*, rb_plugin_instance*, int);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RULEBOOK_PLUGIN_ABI_H */
