#!/usr/bin/env bash
# online_restarts_phases.sh with --plugin test_decoding: restarts during the
# copy and at the cutover (issue 13, item 7).
TEST_NAME=online_restarts_phases_test_decoding PGS_PLUGIN=test_decoding exec bash "$(dirname "$0")/online_restarts_phases.sh"
