/* The event stream: every call, registration, authentication and media node event signald's
 * modules report (observe.h), as one JSON object with FreeSWITCH's names where they fit
 * (Event-Name, Unique-ID, Caller-Caller-ID-Number, Hangup-Cause...), published on a ZeroMQ PUB
 * socket ([events] publish). Each message has two frames: the topic, which is the Event-Name
 * ("CUSTOM sofia::register" for custom events, so that a subscription to "CUSTOM" takes them
 * all), and the JSON. Sends never block: a subscriber that does not keep up loses events at
 * ZeroMQ's high-water mark. docs/operations.md lists the events and their fields. */
#ifndef SIGNALD_EVENTS_PUB_H
#define SIGNALD_EVENTS_PUB_H

#include <stddef.h>

struct events_pub;

/* Binds endpoint (tcp://IP:PORT or ipc://PATH) on zctx and listens to the observe.h hooks.
 * node_id names this node in every event. Both borrowed. 0, or -errno with err set. */
int events_pub_new(struct events_pub **out, void *zctx, const char *endpoint, const char *node_id,
                   char *err, size_t errlen);
const char *events_pub_endpoint(const struct events_pub *ep);
/* How many events were published since start. */
unsigned long long events_pub_count(const struct events_pub *ep);
void events_pub_free(struct events_pub *ep);

#endif
