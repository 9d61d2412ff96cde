#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "backfill/admin_api_source.hpp"
#include "fakes.hpp"

namespace {

using nlohmann::json;

io::HttpResponse page(const std::vector<std::string>& ids, const std::string& next_token = "",
                      int size = 2) {
  json body = json::array();
  for (const auto& id : ids) body.push_back({{"id", id}, {"traits", {{"email", id + "@x.org"}}}});
  io::HttpResponse r;
  r.status = 200;
  r.body = body.dump();
  std::string link = "</admin/identities?page_size=" + std::to_string(size) +
                     "&page_token=00000000-0000-0000-0000-000000000000>; rel=\"first\"";
  if (!next_token.empty()) {
    link += ",</admin/identities?page_size=" + std::to_string(size) + "&page_token=" + next_token +
            ">; rel=\"next\"";
  }
  r.headers = {{"content-type", "application/json"}, {"link", link}};
  return r;
}

io::HttpResponse status(int code, const std::string& body = "", const std::string& retry = "") {
  io::HttpResponse r;
  r.status = code;
  r.body = body;
  if (!retry.empty()) r.headers = {{"retry-after", retry}};
  return r;
}

struct Fixture {
  explicit Fixture(std::deque<io::HttpResponse> replies, std::string key = "ory_pat_fixture",
                   int max_retries = 3) {
    auto c = std::make_unique<test::ScriptedClient>(std::move(replies));
    client = c.get();
    core::AdminApiOptions o;
    o.base = "http://127.0.0.1:4434";
    o.api_key = std::move(key);
    o.page_size = 2;
    o.retry.max_retries = max_retries;
    o.note = [this](const std::string& text) { notes.push_back(text); };
    source = std::make_unique<core::AdminApiSource>(
        std::move(o), std::move(c), clock, [] { return 0.0; }, &stop);
  }
  std::vector<std::string> read_all(std::string* err) {
    std::vector<std::string> ids;
    std::string record;
    while (source->next(&record, err)) ids.push_back(json::parse(record)["id"]);
    return ids;
  }
  test::FakeClock clock;
  std::atomic<bool> stop{false};
  test::ScriptedClient* client = nullptr;
  std::vector<std::string> notes;
  std::unique_ptr<core::AdminApiSource> source;
};

}  // namespace

TEST_CASE("admin_api_source: the base URL a user gives, normalized or refused") {
  std::string base, err;
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:4434", "http://127.0.0.1:4434"},
           {"http://127.0.0.1:4434/", "http://127.0.0.1:4434"},
           {"http://127.0.0.1:4434/admin", "http://127.0.0.1:4434"},
           {"http://127.0.0.1:4434/admin/identities/", "http://127.0.0.1:4434"},
           {"https://slug.projects.oryapis.com", "https://slug.projects.oryapis.com"},
           {"https://example.com/kratos/admin", "https://example.com/kratos"},
           {"http://[::1]:4434", "http://[::1]:4434"}}) {
    CAPTURE(in);
    REQUIRE(core::admin_api_base(in, &base, &err));
    CHECK(base == out);
  }
  for (const char* in : {"127.0.0.1:4434", "ftp://h/", "http://u:secret@h/", "http://h/?page=1",
                         "http://h/#x", ""}) {
    CAPTURE(in);
    CHECK_FALSE(core::admin_api_base(in, &base, &err));
    CHECK(err.find("secret") == std::string::npos);
  }
}

TEST_CASE("admin_api_source: the Link header's next page") {
  io::HttpResponse r;
  CHECK(core::next_link(r).empty());
  r.headers = {{"link", "</a?page_token=1>; rel=\"first\",</a?page_token=2>; rel=\"next\""}};
  CHECK(core::next_link(r) == "/a?page_token=2");
  r.headers = {{"link", "</a?x=1>; rel=first"},
               {"link", "<http://h/a?x=2>; title=\"n\"; rel=next"}};
  CHECK(core::next_link(r) == "http://h/a?x=2");
  r.headers = {{"link", "</a?x=3>; REL=\"prev next\""}};
  CHECK(core::next_link(r) == "/a?x=3");
  r.headers = {{"link", "</a?x=1>; rel=\"first\""}};
  CHECK(core::next_link(r).empty());
  r.headers = {{"link", "</a?x=1>; rel=\"nextish\""}};
  CHECK(core::next_link(r).empty());
}

TEST_CASE("admin_api_source: pages followed by their Link, with the key as a bearer token") {
  Fixture f({page({"a", "b"}, "b"), page({"c", "d"}, "d"), page({"e"})});
  core::BackfillState resume;
  std::string err;
  REQUIRE(f.source->open(&resume, &err));
  CHECK(f.source->first_index() == 0);
  CHECK(f.read_all(&err) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(err.empty());
  REQUIRE(f.client->sent.size() == 3);
  CHECK(f.client->sent[0].method == "GET");
  CHECK(f.client->sent[0].url == "http://127.0.0.1:4434/admin/identities?page_size=2");
  CHECK(f.client->sent[1].url == "http://127.0.0.1:4434/admin/identities?page_size=2&page_token=b");
  CHECK(f.client->sent[2].url == "http://127.0.0.1:4434/admin/identities?page_size=2&page_token=d");
  for (const auto& request : f.client->sent) {
    CHECK(request.url.find("include_credential") == std::string::npos);
    const io::Headers expected = {{"Accept", "application/json"},
                                  {"Authorization", "Bearer ory_pat_fixture"}};
    CHECK(request.headers == expected);
  }
  CHECK(f.source->name() == "http://127.0.0.1:4434/admin/identities");
}

TEST_CASE("admin_api_source: no key sends no Authorization, 401 says how to give one") {
  Fixture f(
      {status(401, R"({"error":{"code":401,"message":"The request could not be authorized"}})")},
      "");
  core::BackfillState resume;
  std::string err;
  CHECK_FALSE(f.source->open(&resume, &err));
  CHECK(f.client->sent.size() == 1);
  CHECK(f.client->sent[0].headers == io::Headers{{"Accept", "application/json"}});
  CHECK(err ==
        "http://127.0.0.1:4434/admin/identities answered HTTP 401 (The request could not be "
        "authorized): it needs an API key (Ory Network: a project API key); give it with "
        "--api-key-file FILE or ORY_PROJECT_API_KEY");
  CHECK_FALSE(f.source->unreachable());

  Fixture g({status(403, "")});
  CHECK_FALSE(g.source->open(&resume, &err));
  CHECK(err.find("the API key was refused") != std::string::npos);
  CHECK(err.find("Bearer") == std::string::npos);
  CHECK(err.find(" k ") == std::string::npos);
}

TEST_CASE("admin_api_source: 429 and 5xx are retried, Retry-After honoured, then it gives up") {
  Fixture f({status(429, "", "2"), status(503), page({"a"})});
  core::BackfillState resume;
  std::string err;
  REQUIRE(f.source->open(&resume, &err));
  CHECK(f.read_all(&err) == std::vector<std::string>{"a"});
  CHECK(f.client->sent.size() == 3);
  CHECK(f.clock.slept() == 2000 + 500);  // Retry-After, then the first backoff
  CHECK(f.source->retries() == 2);

  Fixture g({status(502)}, "ory_pat_fixture", 2);
  CHECK_FALSE(g.source->open(&resume, &err));
  CHECK(g.client->sent.size() == 3);
  CHECK(err == "http://127.0.0.1:4434/admin/identities answered HTTP 502 after 3 attempt(s)");
  CHECK(g.source->unreachable());

  io::HttpResponse down;
  down.error = "Couldn't connect to server";
  Fixture h({down}, "ory_pat_fixture", 1);
  CHECK_FALSE(h.source->open(&resume, &err));
  CHECK(err ==
        "http://127.0.0.1:4434/admin/identities: no answer after 2 attempt(s): Couldn't connect to "
        "server");
  CHECK(h.source->unreachable());

  // 400 (a page token Kratos does not take) is not retried.
  Fixture b({status(400, R"({"error":{"message":"The page token is invalid"}})")});
  CHECK_FALSE(b.source->open(&resume, &err));
  CHECK(b.client->sent.size() == 1);
  CHECK(err ==
        "http://127.0.0.1:4434/admin/identities answered HTTP 400 (The page token is "
        "invalid)");
}

TEST_CASE("admin_api_source: an answer that is not Kratos's is refused with what it was") {
  io::HttpResponse html = status(200, "<html>login</html>");
  html.headers = {{"content-type", "text/html"}};
  Fixture f({html});
  core::BackfillState resume;
  std::string err;
  CHECK_FALSE(f.source->open(&resume, &err));
  CHECK(err ==
        "http://127.0.0.1:4434/admin/identities?page_size=2: the answer is not a JSON array of "
        "identities (Content-Type: text/html): is http://127.0.0.1:4434 Kratos's admin API?");

  Fixture g({status(404, "404 page not found")});
  CHECK_FALSE(g.source->open(&resume, &err));
  CHECK(err.find("answered HTTP 404 (404 page not found): is http://127.0.0.1:4434 the admin "
                 "API's base") != std::string::npos);

  // A next link that names the page just read would loop for ever.
  io::HttpResponse loop = page({"a"});
  loop.headers = {{"link", "</admin/identities?page_size=2>; rel=\"next\""}};
  Fixture h({loop});
  CHECK_FALSE(h.source->open(&resume, &err));
  CHECK(err.find("is the page just read") != std::string::npos);
}

TEST_CASE("admin_api_source: position names the page to pick up from, and open honours it") {
  Fixture f({page({"a", "b"}, "b"), page({"c", "d"}, "d"), page({"e"})});
  core::BackfillState fresh;
  std::string err;
  REQUIRE(f.source->open(&fresh, &err));
  REQUIRE(f.read_all(&err).size() == 5);
  using P = core::PagePosition;
  CHECK(*f.source->position(0) == P{"page_size=2", 0, 0, ""});
  CHECK(*f.source->position(1) == P{"page_size=2", 0, 1, "a"});
  CHECK(*f.source->position(2) == P{"page_size=2&page_token=b", 2, 0, ""});
  CHECK(*f.source->position(3) == P{"page_size=2&page_token=b", 2, 1, "c"});
  CHECK(*f.source->position(4) == P{"page_size=2&page_token=d", 4, 0, ""});
  // Everything finished: the last page, all of it; a resume only sees identities added since.
  CHECK(*f.source->position(5) == P{"page_size=2&page_token=d", 4, 1, "e"});

  SECTION("the page unchanged: what was finished is skipped") {
    Fixture g({page({"c", "d"}, "d"), page({"e"})});
    core::BackfillState resume;
    resume.records_done = 3;
    resume.done_after = {{4, 5, std::nullopt}};
    resume.page = P{"page_size=2&page_token=b", 2, 1, "c"};
    REQUIRE(g.source->open(&resume, &err));
    CHECK(g.client->sent[0].url ==
          "http://127.0.0.1:4434/admin/identities?page_size=2&page_token=b");
    CHECK(g.source->first_index() == 3);
    CHECK(resume.records_done == 3);
    CHECK(resume.done_after.empty());  // record numbers past the page may have moved
    CHECK(g.read_all(&err) == std::vector<std::string>{"d", "e"});
    CHECK(g.notes ==
          std::vector<std::string>{"1 identities finished past that point are sent again (the same "
                                   "messageIds)"});
  }
  SECTION("an identity added before the last finished one: picked up after it") {
    Fixture g({page({"b2", "c", "d"}, "d", 3), page({"e"})});
    core::BackfillState resume;
    resume.records_done = 3;
    resume.page = P{"page_size=2&page_token=b", 2, 1, "c"};
    REQUIRE(g.source->open(&resume, &err));
    CHECK(g.source->first_index() == 4);
    CHECK(resume.records_done == 4);
    CHECK(g.read_all(&err) == std::vector<std::string>{"d", "e"});
    REQUIRE(g.notes.size() == 1);
    CHECK(g.notes[0].find("picking up after identity c") != std::string::npos);
  }
  SECTION("the last finished one deleted: the whole page again") {
    Fixture g({page({"d"}, "d"), page({"e"})});
    core::BackfillState resume;
    resume.records_done = 3;
    resume.page = P{"page_size=2&page_token=b", 2, 1, "c"};
    REQUIRE(g.source->open(&resume, &err));
    CHECK(g.source->first_index() == 2);
    CHECK(g.read_all(&err) == std::vector<std::string>{"d", "e"});
    REQUIRE(g.notes.size() == 1);
    CHECK(g.notes[0].find("is no longer on its page") != std::string::npos);
  }
  SECTION("a state from a file is not an admin API position") {
    Fixture g({page({"a"})});
    core::BackfillState resume;
    resume.records_done = 10;
    resume.input = "identities.json";
    CHECK_FALSE(g.source->open(&resume, &err));
    CHECK(err ==
          "the state was written reading identities.json, not the admin API: resume with that "
          "input, or use another --state");
    CHECK(g.client->sent.empty());
  }
}

TEST_CASE("admin_api_source: a stop from outside ends the read without an error") {
  Fixture f({page({"a"}, "a"), status(503)});
  core::BackfillState resume;
  std::string err;
  REQUIRE(f.source->open(&resume, &err));
  std::string record;
  REQUIRE(f.source->next(&record, &err));
  f.stop.store(true);
  CHECK_FALSE(f.source->next(&record, &err));
  CHECK(err.empty());
}
