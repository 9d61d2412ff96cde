#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/jsonnet_throw.hpp"
#include "pool/transform_wire.hpp"

TEST_CASE("transform_wire: the setup frame round-trips, and another version is refused") {
  core::wire::WorkerSetup setup;
  setup.name = "t.jsonnet";
  setup.source = "function(ctx) ctx.identity.traits.name";
  setup.fast_cancel = true;
  setup.cancel_sites = 2;
  setup.lookup_paths = {{"identity", "traits", "name"}};
  core::wire::WorkerSetup back;
  REQUIRE(core::wire::decode_setup(core::wire::encode_setup(setup), &back));
  CHECK(back.name == setup.name);
  CHECK(back.source == setup.source);
  CHECK(back.fast_cancel);
  CHECK(back.cancel_sites == 2);
  CHECK(back.lookup_paths == setup.lookup_paths);
  auto other = nlohmann::json::parse(core::wire::encode_setup(setup));
  other["protocol"] = core::wire::k_protocol_version + 1;
  CHECK_FALSE(core::wire::decode_setup(other.dump(), &back));
  CHECK_FALSE(core::wire::decode_setup("{\"source\": \"x\"}", &back));
}

TEST_CASE("jsonnet_throw: only the ory-segment executable reads errors at the throw") {
  // This test binary links the libraries without src/throw_hook.cpp: its throws are the C++
  // runtime's own, and the probe says so (the pool's helper, the executable, has the hook;
  // the transform_pool tests run it both ways, see scripts/test).
  CHECK_FALSE(core::runtime_errors_readable());
}
