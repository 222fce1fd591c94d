// IP addresses and prefixes as plain values, with the arithmetic the address plan needs
// (n-th host of a pool, containment, overlap). No I/O.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace perouter {

enum class Family : uint8_t { V4, V6 };

std::string_view to_string(Family f);

class IpAddress {
  public:
    IpAddress() = default;
    static IpAddress v4(uint32_t host_order);
    static IpAddress from_bytes(Family f, const uint8_t* bytes);
    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text. No prefix length allowed.
    static std::optional<IpAddress> parse(std::string_view text);

    Family family() const { return family_; }
    bool is_v4() const { return family_ == Family::V4; }
    bool is_v6() const { return family_ == Family::V6; }
    int bits() const { return is_v4() ? 32 : 128; }
    const uint8_t* data() const { return bytes_.data(); }
    size_t size() const { return is_v4() ? 4 : 16; }
    bool is_unspecified() const;
    bool is_link_local() const;

    /// This address plus n, or nullopt on overflow past the end of the address space.
    std::optional<IpAddress> plus(uint64_t n) const;
    /// The address with every bit after the first `len` cleared.
    IpAddress masked(int len) const;

    std::string str() const;

    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;

  private:
    Family family_ = Family::V4;
    std::array<uint8_t, 16> bytes_{};
};

/// An address with a prefix length. The address may have host bits set
/// ("192.170.1.1/24" is a gateway address on its subnet); network() drops them.
class IpPrefix {
  public:
    IpPrefix() = default;
    IpPrefix(IpAddress addr, int len) : addr_(addr), len_(static_cast<uint8_t>(len)) {}
    /// Parses "ADDR/LEN". The length is required and must fit the family.
    static std::optional<IpPrefix> parse(std::string_view text);
    /// A /32 or /128 around one address.
    static IpPrefix host_route(const IpAddress& a) { return {a, a.bits()}; }

    const IpAddress& address() const { return addr_; }
    int length() const { return len_; }
    Family family() const { return addr_.family(); }
    bool is_v4() const { return addr_.is_v4(); }

    IpPrefix network() const { return {addr_.masked(len_), len_}; }
    bool has_host_bits() const { return addr_ != addr_.masked(len_); }
    /// The n-th address of the network (0 is the network address), or nullopt when it lies
    /// outside the prefix.
    std::optional<IpAddress> host(uint64_t n) const;
    bool contains(const IpAddress& a) const;
    bool overlaps(const IpPrefix& other) const;

    std::string str() const;

    friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;

  private:
    IpAddress addr_;
    uint8_t len_ = 0;
};

/// A 48-bit Ethernet address.
struct MacAddress {
    std::array<uint8_t, 6> bytes{};
    static std::optional<MacAddress> parse(std::string_view text);
    std::string str() const;
    friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
    friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace perouter
