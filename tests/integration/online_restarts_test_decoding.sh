#!/usr/bin/env bash
# online_restarts.sh with --plugin test_decoding: the same restarts, dropped
# connections and timeouts while streaming (issue 13, item 7).
TEST_NAME=online_restarts_test_decoding PGS_PLUGIN=test_decoding exec bash "$(dirname "$0")/online_restarts.sh"
