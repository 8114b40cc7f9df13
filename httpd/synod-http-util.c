/* synod-http-util.c — HTTP dates (RFC 9110 §5.6.7), media types, field lists. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "synod-http-util.h"

static const gchar *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const gchar *const month_names[]
    = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* IMF-fixdate, without locale (strftime's %a/%b follow LC_TIME). */
void
synod_http_date_format (gint64 unix_seconds, gchar buf[SYNOD_HTTP_DATE_LEN + 1])
{
  struct tm tm;
  time_t t = (time_t)unix_seconds;

  gmtime_r (&t, &tm);
  g_snprintf (buf, SYNOD_HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
              day_names[tm.tm_wday], tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900,
              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static gint
month_from (const gchar *p)
{
  for (gint i = 0; i < 12; i++)
    if (strncmp (p, month_names[i], 3) == 0)
      return i;
  return -1;
}

static gboolean
digits (const gchar *p, guint n, gint *ret)
{
  gint v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *ret = v;
  return TRUE;
}

static gboolean
hms (const gchar *p, struct tm *tm)
{
  return digits (p, 2, &tm->tm_hour) && p[2] == ':' && digits (p + 3, 2, &tm->tm_min) && p[5] == ':'
         && digits (p + 6, 2, &tm->tm_sec) && tm->tm_hour < 24 && tm->tm_min < 60
         && tm->tm_sec < 61;
}

/**
 * synod_http_date_parse:
 *
 * Parses the three date forms a recipient must accept: IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37
 * GMT") and asctime ("Sun Nov  6 08:49:37 1994").
 */
gboolean
synod_http_date_parse (const gchar *text, gsize len, gint64 *ret_unix_seconds)
{
  gchar buf[64];
  const gchar *comma;
  struct tm tm = { 0 };
  const gchar *p;
  gint v;

  if (len == 0 || len >= sizeof buf)
    return FALSE;
  memcpy (buf, text, len);
  buf[len] = '\0';
  comma = strchr (buf, ',');
  if (comma != NULL && comma - buf == 3 && len == 29)
    {
      p = buf + 5; /* "06 Nov 1994 08:49:37 GMT" */
      if (!digits (p, 2, &tm.tm_mday) || p[2] != ' ' || (tm.tm_mon = month_from (p + 3)) < 0
          || p[6] != ' ' || !digits (p + 7, 4, &v) || p[11] != ' ' || !hms (p + 12, &tm)
          || strcmp (p + 20, " GMT") != 0)
        return FALSE;
      tm.tm_year = v - 1900;
    }
  else if (comma != NULL)
    {
      p = comma + 2; /* "06-Nov-94 08:49:37 GMT" */
      if ((gsize)(p - buf) + 22 != len || comma[1] != ' ' || !digits (p, 2, &tm.tm_mday)
          || p[2] != '-' || (tm.tm_mon = month_from (p + 3)) < 0 || p[6] != '-'
          || !digits (p + 7, 2, &v) || p[9] != ' ' || !hms (p + 10, &tm)
          || strcmp (p + 18, " GMT") != 0)
        return FALSE;
      tm.tm_year = v < 70 ? v + 100 : v; /* RFC 9110: 50 years in the future rolls back */
    }
  else if (len == 24)
    {
      p = buf + 4; /* "Nov  6 08:49:37 1994" */
      if ((tm.tm_mon = month_from (p)) < 0 || p[3] != ' '
          || !digits (p + 4 + (p[4] == ' '), p[4] == ' ' ? 1 : 2, &tm.tm_mday) || p[6] != ' '
          || !hms (p + 7, &tm) || p[15] != ' ' || !digits (p + 16, 4, &v))
        return FALSE;
      tm.tm_year = v - 1900;
    }
  else
    return FALSE;
  if (tm.tm_mday < 1 || tm.tm_mday > 31)
    return FALSE;
  *ret_unix_seconds = (gint64)timegm (&tm);
  return TRUE;
}

static const struct
{
  const gchar *ext;
  const gchar *type;
  gboolean text;
} media_types[] = {
  { "html", "text/html", TRUE },         { "htm", "text/html", TRUE },
  { "shtml", "text/html", TRUE },        { "css", "text/css", TRUE },
  { "js", "text/javascript", TRUE },     { "mjs", "text/javascript", TRUE },
  { "txt", "text/plain", TRUE },         { "csv", "text/csv", TRUE },
  { "md", "text/markdown", TRUE },       { "xml", "application/xml", TRUE },
  { "json", "application/json", FALSE }, { "svg", "image/svg+xml", TRUE },
  { "png", "image/png", FALSE },         { "jpg", "image/jpeg", FALSE },
  { "jpeg", "image/jpeg", FALSE },       { "gif", "image/gif", FALSE },
  { "webp", "image/webp", FALSE },       { "ico", "image/vnd.microsoft.icon", FALSE },
  { "avif", "image/avif", FALSE },       { "woff", "font/woff", FALSE },
  { "woff2", "font/woff2", FALSE },      { "ttf", "font/ttf", FALSE },
  { "otf", "font/otf", FALSE },          { "pdf", "application/pdf", FALSE },
  { "wasm", "application/wasm", FALSE }, { "zip", "application/zip", FALSE },
  { "gz", "application/gzip", FALSE },   { "tar", "application/x-tar", FALSE },
  { "xz", "application/x-xz", FALSE },   { "mp3", "audio/mpeg", FALSE },
  { "ogg", "audio/ogg", FALSE },         { "wav", "audio/wav", FALSE },
  { "mp4", "video/mp4", FALSE },         { "webm", "video/webm", FALSE },
  { "idl", "text/plain", TRUE },         { "c", "text/plain", TRUE },
  { "h", "text/plain", TRUE },
};

/**
 * synod_http_media_type_for_name:
 * @ret_is_text: (out) (optional): whether the type is text, which gets a charset
 *
 * Returns: the media type for a file name's extension
 *   (application/octet-stream when unknown)
 */
const gchar *
synod_http_media_type_for_name (const gchar *file_name, gboolean *ret_is_text)
{
  const gchar *dot = strrchr (file_name, '.');
  const gchar *slash = strrchr (file_name, '/');

  if (dot != NULL && (slash == NULL || dot > slash))
    for (gsize i = 0; i < G_N_ELEMENTS (media_types); i++)
      if (g_ascii_strcasecmp (dot + 1, media_types[i].ext) == 0)
        {
          if (ret_is_text != NULL)
            *ret_is_text = media_types[i].text;
          return media_types[i].type;
        }
  if (ret_is_text != NULL)
    *ret_is_text = FALSE;
  return "application/octet-stream";
}

gboolean
synod_http_media_type_is_compressible (const gchar *media_type)
{
  return g_str_has_prefix (media_type, "text/") || strcmp (media_type, "application/json") == 0
         || strcmp (media_type, "application/xml") == 0 || strcmp (media_type, "image/svg+xml") == 0
         || strcmp (media_type, "application/wasm") == 0;
}

/* Parses one "coding;q=x" element: its name and whether q > 0. */
static void
coding_element (const gchar *p, const gchar *end, SynodHttpSlice *name, gboolean *ret_ok)
{
  const gchar *semi = memchr (p, ';', (gsize)(end - p));
  const gchar *ne = semi != NULL ? semi : end;

  while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
    ne--;
  name->ptr = p;
  name->len = (gsize)(ne - p);
  *ret_ok = TRUE;
  if (semi != NULL)
    {
      const gchar *q = semi + 1;

      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
        {
          /* q=0, q=0.0, q=0.000 mean "not acceptable". */
          gboolean zero = TRUE;

          for (const gchar *d = q + 2; d < end && *d != ' ' && *d != ';'; d++)
            if (*d != '0' && *d != '.')
              zero = FALSE;
          *ret_ok = !zero;
        }
    }
}

/**
 * synod_http_accepts_gzip:
 * @accept_encoding: (nullable): the Accept-Encoding value
 *
 * Returns: whether gzip is acceptable (listed as gzip or x-gzip, or covered
 *   by "*", with a non-zero weight)
 */
gboolean
synod_http_accepts_gzip (const SynodHttpSlice *accept_encoding)
{
  const gchar *p, *end;
  gint star = -1, gzip = -1;

  if (accept_encoding == NULL)
    return FALSE;
  p = accept_encoding->ptr;
  end = p + accept_encoding->len;
  while (p < end)
    {
      const gchar *e = memchr (p, ',', (gsize)(end - p));
      SynodHttpSlice name;
      gboolean ok;

      if (e == NULL)
        e = end;
      while (p < e && (*p == ' ' || *p == '\t'))
        p++;
      if (p < e)
        {
          coding_element (p, e, &name, &ok);
          if (synod_http_slice_equal_ci (name, "gzip")
              || synod_http_slice_equal_ci (name, "x-gzip"))
            gzip = ok;
          else if (synod_http_slice_equal_ci (name, "*"))
            star = ok;
        }
      p = e + 1;
    }
  return gzip == 1 || (gzip == -1 && star == 1);
}

/**
 * synod_http_etag_list_matches:
 * @list: an If-Match or If-None-Match value ("*" or entity-tags)
 * @etag: the representation's entity-tag, quoted, strong
 * @weak: weak comparison (If-None-Match) rather than strong (If-Match)
 */
gboolean
synod_http_etag_list_matches (SynodHttpSlice list, const gchar *etag, gboolean weak)
{
  const gchar *p = list.ptr;
  const gchar *end = list.ptr + list.len;
  gsize elen = strlen (etag);

  while (p < end)
    {
      gboolean is_weak = FALSE;
      const gchar *close;

      while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
        p++;
      if (p == end)
        break;
      if (*p == '*')
        return TRUE;
      if (end - p > 2 && p[0] == 'W' && p[1] == '/')
        {
          is_weak = TRUE;
          p += 2;
        }
      if (*p != '"')
        return FALSE; /* malformed: no match */
      close = memchr (p + 1, '"', (gsize)(end - p - 1));
      if (close == NULL)
        return FALSE;
      if ((weak || !is_weak) && (gsize)(close - p + 1) == elen && memcmp (p, etag, elen) == 0)
        return TRUE;
      p = close + 1;
    }
  return FALSE;
}
