// The state of each configured underlay neighbor, read from FRR's `show bgp neighbors json`.
// Pure: the daemon asks FRR (service_status.cpp) and hands the answer in.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace perouter::daemon {

/// How status and the journal name a neighbor: its address, its interface (unnumbered), or
/// "range CIDR" (dynamic neighbors).
std::string session_label(const config::Neighbor& n);

/// Label -> FRR's bgpState ("Established", "Active", ...; "Idle" when FRR does not list it).
/// A listen range is Established when any dynamic neighbor inside it is, else the state of the
/// first one FRR lists, else "Idle".
std::map<std::string, std::string> underlay_session_states(
    const std::vector<config::Neighbor>& neighbors, const nlohmann::json& frr_neighbors);

/// What an unanswered session query means. FRR that does not answer within the query's timeout
/// is often only busy (bgpd's main thread working through a change of a thousand VNIs; its I/O
/// thread keeps the sessions alive meanwhile), so a miss keeps the states of the last answer;
/// the third miss in a row (15 s without an answer) means FRR is not answering (hung or gone)
/// and the sessions count as down (reliability R10). The daemon asks again at once after a
/// miss. Two in a row were seen in the lab while 1000 L2VNIs were applied during the kernel's
/// cleanup of 1000 others.
class QueryMisses {
  public:
    static constexpr int kBeforeDown = 3;
    enum class Verdict { KeepLast, Down };
    void answered() { misses_ = 0; }
    /// `known`: an earlier answer is there to keep.
    Verdict missed(bool known) {
        ++misses_;
        return known && misses_ < kBeforeDown ? Verdict::KeepLast : Verdict::Down;
    }
    int misses() const { return misses_; }

  private:
    int misses_ = 0;
};

}  // namespace perouter::daemon
