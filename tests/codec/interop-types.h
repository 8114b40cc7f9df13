/* interop-types.h — the types of interop.x for Synod: C types in the mapping
 * of idl/README.md under the namespace Interop, and their descriptors.
 *
 * Written the way synod-idl writes them, so the codec is tested against
 * rpcgen on the exact layout generated code will have. The one departure
 * from interop.x is `extras`, which uses Synod's ObjectId and quadruple
 * where interop.x spells out their wire forms (struct objid, opaque[16]).
 */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

#define INTEROP_MAX_ITEMS 100
#define INTEROP_PAYLOAD_MAX 8192

typedef enum
{
  INTEROP_RED = 0,
  INTEROP_GREEN = 1,
  INTEROP_BLUE = 5,
} InteropColor;

typedef gchar *InteropTag;

typedef struct _InteropPoint InteropPoint;
struct _InteropPoint
{
  gint32 x;
  gint32 y;
};

typedef struct _InteropItem InteropItem;
struct _InteropItem
{
  gchar *name;
  guint32 quantity;
  InteropColor color;
  guint8 sku[8];
  struct
  {
    guint32 len;
    InteropTag *val;
  } tags;
  InteropPoint corners[2];
  gboolean fragile;
  gint64 serial;
  guint64 big;
  gfloat weight;
  gdouble price;
  struct
  {
    guint32 len;
    guint8 *val;
  } blob;
  struct
  {
    guint32 len;
    gint32 *val;
  } codes;
};

typedef struct _InteropNode InteropNode;
struct _InteropNode
{
  gint32 value;
  gchar *label;
  InteropNode *next;
};

typedef InteropNode *InteropList;

typedef struct _InteropResult InteropResult;
struct _InteropResult
{
  gint32 status;
  union
  {
    InteropItem value;
    gchar *message;
    gint32 code;
  } u;
};

typedef struct _InteropShape InteropShape;
struct _InteropShape
{
  InteropColor c;
  union
  {
    gint32 radius;
    InteropPoint corner;
  } u;
};

typedef struct _InteropMaybePoint InteropMaybePoint;
struct _InteropMaybePoint
{
  gboolean present;
  union
  {
    InteropPoint p;
  } u;
};

typedef struct _InteropReply InteropReply;
struct _InteropReply
{
  guint32 kind;
  union
  {
    gint32 number;
    gchar *text;
  } u;
};

typedef struct _InteropExtras InteropExtras;
struct _InteropExtras
{
  SynodObjectId id;
  SynodQuadruple q;
  guint8 odd[5];
  gint32 grid[3];
  struct
  {
    guint32 len;
    gfloat *val;
  } ratios;
  gdouble scale;
};

typedef struct _InteropHeader InteropHeader;
struct _InteropHeader
{
  gchar *sender;
  gchar *subject;
  guint64 timestamp;
  InteropPoint origin;
  struct
  {
    guint32 len;
    InteropTag *val;
  } labels;
};

typedef struct _InteropMessage InteropMessage;
struct _InteropMessage
{
  InteropHeader head;
  struct
  {
    guint32 len;
    InteropItem *val;
  } items;
  struct
  {
    guint32 len;
    guint8 *val;
  } payload;
  InteropList trail;
  InteropResult outcome;
  InteropShape outline;
  InteropMaybePoint focus;
  InteropReply answer;
};

extern const SynodTypeDesc interop_color_desc;
extern const SynodTypeDesc interop_tag_desc;
extern const SynodTypeDesc interop_point_desc;
extern const SynodTypeDesc interop_item_desc;
extern const SynodTypeDesc interop_node_desc;
extern const SynodTypeDesc interop_list_desc;
extern const SynodTypeDesc interop_result_desc;
extern const SynodTypeDesc interop_shape_desc;
extern const SynodTypeDesc interop_maybe_point_desc;
extern const SynodTypeDesc interop_reply_desc;
extern const SynodTypeDesc interop_extras_desc;
extern const SynodTypeDesc interop_header_desc;
extern const SynodTypeDesc interop_message_desc;

#define INTEROP_DECLARE_LIFE_CYCLE(T, t)                                                           \
  void t##_clear (T *value);                                                                       \
  void t##_free (T *value);                                                                        \
  void t##_copy (const T *src, T *dest);                                                           \
  G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (T, t##_clear)                                                  \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (T, t##_free)

INTEROP_DECLARE_LIFE_CYCLE (InteropItem, interop_item)
INTEROP_DECLARE_LIFE_CYCLE (InteropNode, interop_node)
INTEROP_DECLARE_LIFE_CYCLE (InteropResult, interop_result)
INTEROP_DECLARE_LIFE_CYCLE (InteropReply, interop_reply)
INTEROP_DECLARE_LIFE_CYCLE (InteropExtras, interop_extras)
INTEROP_DECLARE_LIFE_CYCLE (InteropHeader, interop_header)
INTEROP_DECLARE_LIFE_CYCLE (InteropMessage, interop_message)

G_END_DECLS
