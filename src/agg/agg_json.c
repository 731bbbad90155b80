#include "agg_json.h"

#include "agg.h"

const char *
agg_json_str(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool
agg_json_int(json_t *doc, const char *key, int64_t *out)
{
	json_t *v = json_object_get(doc, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

void
agg_publish(struct agg *a, const char *type, json_t *data)
{
	if (a->web != NULL && data != NULL)
		agg_web_publish(a->web, type, data);
	json_decref(data);
}
