// Events worth querying in the journal get a fixed MESSAGE_ID, so operators can write
//   journalctl MESSAGE_ID=<id>   or   journalctl PEROUTER_VPN=blue
// The IDs never change once released; they are listed with their meaning in perouterd(8).
#pragma once

#include <string_view>

namespace perouter::daemon::messages {

struct MessageId {
    std::string_view id;
    std::string_view name;
};

// Configuration loaded and applied (fields: PEROUTER_CHANGES).
inline constexpr MessageId kConfigLoaded{"ca8971f572254fd0b56c9e0ff4a3acf1", "config-loaded"};
// Configuration rejected; the running state was kept (fields: PEROUTER_ERRORS, CONFIG_FILE,
// CONFIG_LINE).
inline constexpr MessageId kConfigRejected{"b29bb9c25b434998a5374bb69c4e4300", "config-rejected"};
// A VPN appeared in the configuration and was applied (PEROUTER_VPN, PEROUTER_VNI).
inline constexpr MessageId kVpnAdded{"0c051e70646e42219e8db27e3f32a370", "vpn-added"};
// A VPN left the configuration and its objects were removed (PEROUTER_VPN, PEROUTER_VNI).
inline constexpr MessageId kVpnRemoved{"f13132e7951346709a6317f0f4786766", "vpn-removed"};
// A VPN could not be applied (PEROUTER_VPN, PEROUTER_VNI, PEROUTER_ERROR).
inline constexpr MessageId kVpnFailed{"ab5b9ef3f8f3455282737288f2ccb087", "vpn-failed"};
// An underlay BGP session reached Established (PEROUTER_PEER).
inline constexpr MessageId kUnderlayUp{"58f52693c0924cedab44eae5c6b05543", "underlay-up"};
// An underlay BGP session left Established (PEROUTER_PEER).
inline constexpr MessageId kUnderlayDown{"3ec1df2df7a945f89425e4308464b338", "underlay-down"};
// FRR restarted or was started again by perouterd (PEROUTER_FRR_INSTANCE).
inline constexpr MessageId kFrrRestarted{"fdcc6ea9dd6748a6ad1e7b2ce0170509", "frr-restarted"};

}  // namespace perouter::daemon::messages
