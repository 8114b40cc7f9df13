/* synod-http-objects.h — the HTTP server as classes on the broker.
 *
 * synod_http_register_classes() registers, in a broker:
 *
 * | class                      | interfaces                     | objects |
 * |----------------------------|--------------------------------|---------|
 * | Standard.HTTPdaemon;1      | Standard.HTTPdaemon            | one per web site, made by whoever
 * runs it (synodd, synod-httpd) | | Standard.URLdirectory;1    | Standard.URLdirectory          |
 * one per site (default and each virtual host) | | Standard.URLfileLoader;1   |
 * Standard.URLfileLoader         | one per document root | | Standard.HTTPdocument;1    |
 * Standard.HTTPdocument, Standard.HTTPhandler | one per cached document, made by its loader |
 *
 * An HTTPdaemon is created with parameters (a GVariant of type a{sv}):
 *
 * | key | type | default | meaning |
 * |-----|------|---------|---------|
 * | listen | s | "127.0.0.1:8080" | ADDRESS:PORT ([ADDRESS]:PORT for IPv6); port 0: the kernel
 * picks | | root | s | none | document root of the default site (without one, only mounts serve) |
 * | index | as | index.html, index.shtml | names tried for a directory |
 * | ssi-suffixes | as | .shtml | names processed as server-side includes |
 * | virtual-hosts | a{ss} | none | name-based virtual host → its document root |
 * | mounts | a{ss} | none | URL prefix → object (Id text or service name) serving it, on every site
 * of the daemon | | access-log | s | none | common log format file | | workers | u | one per CPU |
 * epoll worker threads | | max-connections | u | 4096 | open connections (503 beyond) | |
 * header-timeout-ms, body-timeout-ms, keepalive-timeout-ms, send-timeout-ms | u | 10000, 30000,
 * 15000, 30000 | connection deadlines | | handler-timeout-ms | u | 30000 | how long an object may
 * take to answer (504 beyond) | | max-body | t | 1 MiB | largest request body (413 beyond) | |
 * max-request-line, max-header-bytes, max-headers | u | 8192, 16384, 100 | request head limits | |
 * cache-bytes, cache-document | t | 64 MiB, 4 MiB | document cache memory, largest cached document
 * | | revalidate-ms | u | 1000 | how often a cached document is checked against its file | | gzip |
 * b | true | offer gzip variants of compressible documents | | charset | s | utf-8 | charset of
 * text types | | ssi-max-depth | u | 8 | include nesting limit | | max-entries | u | 100000 | URL
 * directory entries per site | | server-header | s | Synod | the Server field | | directory-service
 * | s | none | service name for the default site's URLdirectory |
 *
 * Numbers may be given as any GVariant integer type; string lists as "as"
 * or as one comma-separated "s". An unknown key, a wrong type or a value
 * out of range is an error (SYNOD_HTTP_ERROR_CONFIG) naming the key.
 *
 * docs/httpd.md describes the object model and the decisions behind it.
 */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

/* How long an object may take to answer a request before the client gets
 * 504 (the "handler-timeout-ms" parameter). */
#define SYNOD_HTTP_DEFAULT_HANDLER_TIMEOUT_MS 30000
/* The listening address of a daemon created without "listen". */
#define SYNOD_HTTP_DEFAULT_LISTEN "127.0.0.1:8080"

gboolean synod_http_register_classes (SynodBroker *broker, GError **error);

G_END_DECLS
