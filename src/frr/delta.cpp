// The script has two phases: every removal first (contexts in reverse render order), then every
// addition (in render order). FRR 8.4 facts it relies on, each checked by
// tests/integration/frr against a real FRR: the default BGP instance cannot be deleted while VRF
// instances exist; a VRF takes one VNI and refuses a second one before the first is removed; a
// VRF that still exists in the kernel cannot be deleted; an address family has no `no` form
// worth using (emptying it is enough); `no bfd` and `no profile X` exist. One more needs a kernel
// with VRF (bgpd learns a VRF's L3VNI from zebra only when the VRF exists), so the QEMU system
// tier shows it: bgpd refuses to delete a VRF instance while the VRF's L3VNI is configured
// ("Please unconfigure l3vni").
#include "frr/delta.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "frr/config_tree.hpp"

namespace perouter::frr {
namespace {

using LineSet = std::unordered_set<std::string_view>;

/// A container iterated backwards. (std::views::reverse would do, but clang 14 cannot compile
/// libstdc++ 12's <ranges>, and the fuzz build, tests/reliability/fuzz, is a clang build.)
template <class C>
struct Reversed {
    const C& c;
    auto begin() const { return c.rbegin(); }
    auto end() const { return c.rend(); }
};
template <class C>
Reversed<C> reversed(const C& c) {
    return {c};
}

// FRR 8.4 bfdd has no `no` form for these three profile settings; going back to "unset" means
// writing the default value, which `show running-config` then hides again.
constexpr std::string_view kBfdDefaultDetectMultiplier = "3";
constexpr std::string_view kBfdDefaultIntervalMs = "300";

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos < line.size()) {
        const auto start = line.find_first_not_of(' ', pos);
        if (start == std::string_view::npos)
            break;
        auto end = line.find(' ', start);
        if (end == std::string_view::npos)
            end = line.size();
        out.push_back(line.substr(start, end - start));
        pos = end;
    }
    return out;
}

// The first `n` words of `line`, as a view into it.
std::string_view leading(std::string_view line, const std::vector<std::string_view>& w, size_t n) {
    const auto& last = w[n - 1];
    return line.substr(0, static_cast<size_t>(last.data() + last.size() - line.data()));
}

// The setting a line assigns, for lines whose new value replaces the old one in place: a line
// of the old text is not negated when an added line covers its key, because re-setting the
// value is enough and negating first would reset the session or, for `no neighbor X remote-as
// Y`, delete the neighbor. `vni` is not one of them: zebra rejects a second VNI on a VRF.
std::optional<std::string_view> setting_key(std::string_view line) {
    const auto w = words(line);
    if (w.empty())
        return std::nullopt;
    if (w[0] == "neighbor" && w.size() >= 3) {
        const auto& what = w[2];
        if (what == "remote-as" || what == "port" || what == "password" ||
            what == "ebgp-multihop") {
            return leading(line, w, 3);
        }
        if (what == "interface" && w.size() >= 5 && w[3] == "remote-as")
            return leading(line, w, 4);
        if (what == "timers" && w.size() >= 4)
            return leading(line, w, w[3] == "connect" ? 4 : 3);
        if (what == "bfd")
            return leading(line, w, w.size() >= 4 && w[3] == "profile" ? 4 : 3);
        return std::nullopt;
    }
    if (w[0] == "bgp" && w.size() >= 3 && (w[1] == "router-id" || w[1] == "cluster-id"))
        return leading(line, w, 2);
    if (w[0] == "bgp" && w.size() >= 4 && w[1] == "graceful-restart" &&
        (w[2] == "restart-time" || w[2] == "stalepath-time")) {
        return leading(line, w, 3);
    }
    if (w.size() == 2 && (w[0] == "receive-interval" || w[0] == "transmit-interval" ||
                          w[0] == "detect-multiplier" || w[0] == "minimum-ttl")) {
        return w[0];
    }
    // A locator has one prefix (zebra's `locator NAME / prefix P`, FRR 8.4): a new one replaces
    // it. No other context of ours has `prefix` lines.
    if (w[0] == "prefix" && w.size() >= 2)
        return w[0];
    // One log file at a time: a new path replaces the old one. Syslog is a separate target
    // that stays active next to a file, so it is negated when it goes.
    if (w[0] == "log" && w.size() >= 3 && w[1] == "file")
        return leading(line, w, 2);
    return std::nullopt;
}

// The keys an added line overrides: its own, and for `neighbor X bfd profile P` also the plain
// `neighbor X bfd` (a profile switches BFD on as well; `no neighbor X bfd` first would take the
// BFD session down for nothing). The reverse does not hold: `neighbor X bfd` keeps a profile.
std::vector<std::string_view> covered_keys(std::string_view line) {
    const auto key = setting_key(line);
    if (!key)
        return {};
    std::vector<std::string_view> out{*key};
    const auto w = words(*key);
    if (w.size() == 4 && w[0] == "neighbor" && w[2] == "bfd")
        out.push_back(leading(line, w, 3));
    return out;
}

// The line that undoes `line`.
std::string negate(std::string_view line) {
    if (line.starts_with("no "))
        return std::string(line.substr(3));
    const auto w = words(line);
    if (w.size() == 2 && w[0] == "detect-multiplier") {
        return "detect-multiplier " + std::string(kBfdDefaultDetectMultiplier);
    }
    if (w.size() == 2 && (w[0] == "receive-interval" || w[0] == "transmit-interval")) {
        return std::string(w[0]) + " " + std::string(kBfdDefaultIntervalMs);
    }
    return "no " + std::string(line);
}

// `neighbor X remote-as Y`, `neighbor X interface remote-as Y` (unnumbered) and
// `neighbor X peer-group` declare neighbor (or peer group) X; returns X.
std::optional<std::string_view> declared_neighbor(std::string_view line) {
    const auto w = words(line);
    if (w.empty() || w[0] != "neighbor")
        return std::nullopt;
    if ((w.size() == 4 && w[2] == "remote-as") || (w.size() == 3 && w[2] == "peer-group") ||
        (w.size() == 5 && w[2] == "interface" && w[3] == "remote-as")) {
        return w[1];
    }
    return std::nullopt;
}

std::optional<std::string_view> neighbor_of(std::string_view line) {
    const auto w = words(line);
    if (w.size() >= 3 && w[0] == "neighbor")
        return w[1];
    return std::nullopt;
}

LineSet line_set(const std::vector<std::string>& lines) {
    return LineSet(lines.begin(), lines.end());
}

bool is_default_bgp(std::string_view header) {
    return header.starts_with("router bgp ") && header.find(" vrf ") == std::string_view::npos;
}
bool is_vrf_bgp(std::string_view header) {
    return header.starts_with("router bgp ") && header.find(" vrf ") != std::string_view::npos;
}
// `vrf X` holds the VRF's L3VNI (`vni N`), nothing else.
bool is_vrf_vni(std::string_view header) {
    return header.starts_with("vrf ");
}

class Script {
  public:
    void line(int depth, std::string_view text) {
        out_.append(static_cast<size_t>(depth), ' ');
        out_.append(text);
        out_.push_back('\n');
    }
    void whole(int depth, const ConfigBlock& b) {
        line(depth, b.header);
        for (const auto& l : b.lines)
            line(depth + 1, l);
        for (const auto& c : b.children)
            whole(depth + 1, c);
        line(depth, exit_keyword(b.header));
    }
    // Emits `header`, the body lines and the exit, but only when the body is not empty.
    void block(int depth, std::string_view header, const std::vector<std::string>& body) {
        if (body.empty())
            return;
        line(depth, header);
        for (const auto& l : body)
            line(depth + 1, l);
        line(depth, exit_keyword(header));
    }
    std::string& text() { return out_; }

  private:
    std::string out_;
};

// Lines of `from` that `to` lacks, each turned into the line that removes it, in reverse order
// (later lines may depend on earlier ones). Lines of removed neighbors are dropped: the single
// `no neighbor X` of the declaring context takes them all away.
std::vector<std::string> removal_lines(const std::vector<std::string>& from,
                                       const std::vector<std::string>& to,
                                       const std::unordered_set<std::string_view>& gone_neighbors) {
    const LineSet kept = line_set(to);
    const LineSet was = line_set(from);
    std::unordered_set<std::string_view> overridden;
    for (const auto& l : to) {
        if (was.contains(l))
            continue;
        for (const auto& k : covered_keys(l))
            overridden.insert(k);
    }
    std::unordered_set<std::string_view> bfd_kept;  // neighbors with any BFD line in `to`
    for (const auto& l : to) {
        if (const auto w = words(l); w.size() >= 3 && w[0] == "neighbor" && w[2] == "bfd") {
            bfd_kept.insert(w[1]);
        }
    }
    std::vector<std::string> out;
    std::unordered_set<std::string_view> deleted;  // a peer group is declared by two lines
    for (const auto& l : reversed(from)) {
        if (kept.contains(l))
            continue;
        if (const auto n = neighbor_of(l); n && gone_neighbors.contains(*n)) {
            if (declared_neighbor(l) && deleted.insert(*n).second)
                out.push_back("no neighbor " + std::string(*n));
            continue;
        }
        if (const auto key = setting_key(l); key && overridden.contains(*key))
            continue;
        // `no neighbor X bfd profile P` only drops the profile and leaves BFD on; when the
        // neighbor has no BFD line at all any more, `no neighbor X bfd` removes both.
        if (const auto w = words(l); w.size() == 5 && w[0] == "neighbor" && w[2] == "bfd" &&
                                     w[3] == "profile" && !bfd_kept.contains(w[1])) {
            out.push_back("no " + std::string(leading(l, w, 3)));
            continue;
        }
        out.push_back(negate(l));
    }
    return out;
}

std::vector<std::string> added_lines(const std::vector<std::string>& from,
                                     const std::vector<std::string>& to) {
    const LineSet was = line_set(from);
    std::vector<std::string> out;
    for (const auto& l : to) {
        if (!was.contains(l))
            out.push_back(l);
    }
    return out;
}

void remove_whole(Script& s, const ConfigBlock& b) {
    // zebra refuses to delete a VRF that still exists in the kernel ("Only inactive VRFs can be
    // deleted"), and the kernel VRF goes away only after FRR let go of it: empty it instead.
    // FRR drops an inactive VRF without configuration from its running config by itself. An
    // interface is the same ("Only inactive interfaces can be deleted").
    // FRR 8.4 zebra has no `no segment-routing`; `no srv6` inside it removes every locator.
    if (b.header == "segment-routing") {
        s.block(0, b.header, {"no srv6"});
        return;
    }
    if (b.header.starts_with("vrf ") || b.header.starts_with("interface ")) {
        std::vector<std::string> body;
        for (const auto& l : reversed(b.lines))
            body.push_back(negate(l));
        s.block(0, b.header, body);
        return;
    }
    s.line(0, "no " + b.header);
}

// A sub-context that goes away with `no <header>`. An address family is never removed with
// `no address-family`: emptying it is enough.
bool removable_sub_context(std::string_view header) {
    return header.starts_with("profile ") || header.starts_with("peer ") ||
           header.starts_with("vni ") || header.starts_with("key ") ||
           header.starts_with("locator ") || header == "segment-routing srv6";
}

// A nested block (an address family, a BFD profile, a VNI) inside a parent's script body, when
// it has lines to emit. Its own nested blocks are already indented by one more space.
void append_child(std::vector<std::string>& body, const std::string& header,
                  const std::vector<std::string>& lines) {
    if (lines.empty())
        return;
    body.push_back(header);
    for (const auto& l : lines)
        body.push_back(" " + l);
    body.emplace_back(exit_keyword(header));
}

// What takes `from` to `to` by removing: sub-contexts first (they are rendered after the
// context's own lines, so they are undone first), then the context's own lines.
std::vector<std::string> removal_body(const ConfigBlock& from, const ConfigBlock& to,
                                      const std::unordered_set<std::string_view>& gone) {
    static const ConfigBlock kEmpty;
    std::vector<std::string> body;
    for (const auto& child : reversed(from.children)) {
        const ConfigBlock* other = to.child(child.header);
        if (other == nullptr && removable_sub_context(child.header)) {
            body.push_back("no " + child.header);
            continue;
        }
        append_child(body, child.header,
                     removal_body(child, other != nullptr ? *other : kEmpty, gone));
    }
    for (auto& l : removal_lines(from.lines, to.lines, gone))
        body.push_back(std::move(l));
    return body;
}

void remove_changed(Script& s, const ConfigBlock& from, const ConfigBlock& to) {
    std::unordered_set<std::string_view> gone;
    {
        std::unordered_set<std::string_view> still;
        for (const auto& l : to.lines) {
            if (const auto n = declared_neighbor(l))
                still.insert(*n);
        }
        for (const auto& l : from.lines) {
            if (const auto n = declared_neighbor(l); n && !still.contains(*n))
                gone.insert(*n);
        }
    }
    s.block(0, from.header, removal_body(from, to, gone));
}

// What takes `from` to `to` by adding: the context's own lines, then its sub-contexts.
std::vector<std::string> addition_body(const ConfigBlock& from, const ConfigBlock& to) {
    std::vector<std::string> body = added_lines(from.lines, to.lines);
    for (const auto& child : to.children) {
        const ConfigBlock* other = from.child(child.header);
        if (other == nullptr) {
            Script sub;
            sub.whole(0, child);
            std::string_view text = sub.text();
            while (!text.empty()) {
                const auto eol = text.find('\n');
                body.emplace_back(text.substr(0, eol));
                text.remove_prefix(eol + 1);
            }
            continue;
        }
        append_child(body, child.header, addition_body(*other, child));
    }
    return body;
}

void add_changed(Script& s, const ConfigBlock& from, const ConfigBlock& to) {
    s.block(0, to.header, addition_body(from, to));
}

}  // namespace

std::string delta(std::string_view from_text, std::string_view to_text) {
    const ConfigTree from = parse_config(from_text);
    const ConfigTree to = parse_config(to_text);

    std::unordered_map<std::string_view, const ConfigBlock*> from_blocks;
    std::unordered_map<std::string_view, const ConfigBlock*> to_blocks;
    for (const auto& b : from.blocks)
        from_blocks.emplace(b.header, &b);
    for (const auto& b : to.blocks)
        to_blocks.emplace(b.header, &b);

    // bgpd refuses to delete the default instance while VRF instances exist, so replacing it
    // (a new underlay ASN) means taking every VRF instance down and up again around it, and
    // with them the L3VNIs, which have to be released before their instance can go.
    bool rebuild_vrf_instances = false;
    for (const auto& b : from.blocks) {
        if (is_default_bgp(b.header) && !to_blocks.contains(b.header)) {
            rebuild_vrf_instances = true;
        }
    }
    const auto counterpart = [&](const auto& map, const ConfigBlock& b) -> const ConfigBlock* {
        if (rebuild_vrf_instances && (is_vrf_bgp(b.header) || is_vrf_vni(b.header)))
            return nullptr;
        const auto it = map.find(b.header);
        return it == map.end() ? nullptr : it->second;
    };

    Script s;
    const auto remove = [&](const ConfigBlock& b) {
        if (const ConfigBlock* other = counterpart(to_blocks, b)) {
            remove_changed(s, b, *other);
        } else {
            remove_whole(s, b);
        }
    };
    // Removals first: the L3VNIs that go (a VRF instance cannot be deleted before its VNI is
    // released), then the rest in reverse render order: users of an object go before the
    // object (BGP VRF instances before the default instance, BGP before the route-map and BFD
    // profiles it names). A VNI leaving one VRF is released before it joins another.
    for (const auto& b : reversed(from.blocks)) {
        if (is_vrf_vni(b.header))
            remove(b);
    }
    for (const auto& b : reversed(from.blocks)) {
        if (!is_vrf_vni(b.header))
            remove(b);
    }
    for (const auto& l : removal_lines(from.globals, to.globals, {})) {
        if (l.starts_with("no frr defaults"))
            continue;
        s.line(0, l);
    }
    // Then additions, in render order: an object before its users.
    for (const auto& l : added_lines(from.globals, to.globals))
        s.line(0, l);
    for (const auto& b : to.blocks) {
        if (const ConfigBlock* other = counterpart(from_blocks, b)) {
            add_changed(s, *other, b);
        } else {
            s.whole(0, b);
        }
    }
    return std::move(s.text());
}

bool waits_for_links(std::string_view script) {
    size_t pos = 0;
    while (pos < script.size()) {
        size_t end = script.find('\n', pos);
        if (end == std::string_view::npos)
            end = script.size();
        std::string_view line = script.substr(pos, end - pos);
        pos = end + 1;
        line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
        if (line.starts_with("no "))
            line.remove_prefix(3);
        if (line.starts_with("neighbor ") || line.starts_with("vrf ") ||
            (line.starts_with("router bgp ") && line.find(" vrf ") != std::string_view::npos))
            return true;
    }
    return false;
}

}  // namespace perouter::frr
