/* source_type.c — the one table of source server kinds (see source_type.h). */
#include "model/source_type.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *name; /* shown, and taken by --source-type */
    const char *word; /* in the API's sourceType */
} types[] = {
    {"auto", "auto"},
    {"On-premises", "OnPremises"},
    {"Azure VM", "AzureVM"},
    {"AWS RDS", "AWS_RDS"},
    {"AWS Aurora", "AWS_AURORA"},
    {"AWS EC2", "AWS_EC2"},
    {"Google Cloud SQL", "GCP_CloudSQL"},
    {"Google AlloyDB", "GCP_AlloyDB"},
    {"Google Compute Engine", "GCP_Compute"},
    {"EDB", "EDB"},
    {"Azure Database for PostgreSQL", "AzurePostgreSQL"},
    {"Other", "Other"},
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

bool source_type_known(const char *name)
{
    return source_type_api_word(name) != NULL;
}

const char *source_type_api_word(const char *name)
{
    for (size_t i = 0; name && i < N_TYPES; i++)
        if (strcmp(name, types[i].name) == 0)
            return types[i].word;
    return NULL;
}

const char *source_type_from_api_word(const char *word)
{
    for (size_t i = 0; word && i < N_TYPES; i++)
        if (strcmp(word, types[i].word) == 0)
            return types[i].name;
    return NULL;
}
