/* answer.c — building the API's answers: JSON, the error object, plain text (api_internal.h). */
#include "api/api_internal.h"
#include "model/resource_json.h"
#include "model/utc_time.h"
#include "util/mem.h"

#include <stdlib.h>

void api_answer_free(struct api_answer *a)
{
    free(a->body);
    free(a->allow);
    free(a->location);
    *a = (struct api_answer){0};
}

void api_answer_json(struct api_answer *a, unsigned status, json_t *doc)
{
    free(a->body);
    a->status = status;
    a->body = json_dumps(doc, JSON_COMPACT);
    a->content_type = "application/json";
    json_decref(doc);
    if (a->body == NULL) /* only when out of memory or an invalid UTF-8 string slipped in */
        a->body = xstrdup("{}");
}

void api_answer_error(struct api_answer *a, unsigned status, const char *code, const char *message,
                      const char *target)
{
    api_answer_json(a, status, resource_error_to_json(code, message, target));
}

void api_answer_invalid(struct api_answer *a, const char *message, const char *target)
{
    api_answer_error(a, 400, "InvalidField", message, target);
}

void api_answer_text(struct api_answer *a, unsigned status, char *text, const char *content_type)
{
    free(a->body);
    a->status = status;
    a->body = text;
    a->content_type = content_type;
}

json_t *api_time_json(double wall)
{
    if (wall <= 0)
        return json_null();
    char text[UTC_TIME_SIZE];
    utc_time_format(wall, text, sizeof(text));
    return json_string(text);
}
