#include "common/ip.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstring>

namespace perouter {

std::string_view to_string(Family f) {
    return f == Family::V4 ? "ipv4" : "ipv6";
}

IpAddress IpAddress::v4(uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::V4;
    a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::from_bytes(Family f, const uint8_t* bytes) {
    IpAddress a;
    a.family_ = f;
    std::memcpy(a.bytes_.data(), bytes, f == Family::V4 ? 4 : 16);
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN)
        return std::nullopt;
    std::string s(text);
    IpAddress a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) {
        a.family_ = Family::V4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
        a.family_ = Family::V6;
        return a;
    }
    return std::nullopt;
}

bool IpAddress::is_unspecified() const {
    for (size_t i = 0; i < size(); ++i)
        if (bytes_[i] != 0)
            return false;
    return true;
}

bool IpAddress::is_link_local() const {
    if (is_v4())
        return bytes_[0] == 169 && bytes_[1] == 254;
    return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::optional<IpAddress> IpAddress::plus(uint64_t n) const {
    IpAddress r = *this;
    // Add n to the big-endian byte string, carrying towards the most significant byte.
    uint64_t carry = n;
    for (int i = static_cast<int>(size()) - 1; i >= 0 && carry != 0; --i) {
        uint64_t sum = r.bytes_[static_cast<size_t>(i)] + (carry & 0xff);
        r.bytes_[static_cast<size_t>(i)] = static_cast<uint8_t>(sum);
        carry = (carry >> 8) + (sum >> 8);
    }
    if (carry != 0)
        return std::nullopt;
    return r;
}

IpAddress IpAddress::masked(int len) const {
    IpAddress r = *this;
    for (int i = 0; i < static_cast<int>(size()); ++i) {
        int keep = len - i * 8;
        auto idx = static_cast<size_t>(i);
        if (keep >= 8)
            continue;
        if (keep <= 0) {
            r.bytes_[idx] = 0;
        } else {
            r.bytes_[idx] &= static_cast<uint8_t>(0xff << (8 - keep));
        }
    }
    return r;
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr)
        return std::nullopt;
    auto len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3)
        return std::nullopt;
    int len = 0;
    for (char c : len_text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        len = len * 10 + (c - '0');
    }
    if (len > addr->bits())
        return std::nullopt;
    return IpPrefix(*addr, len);
}

std::optional<IpAddress> IpPrefix::host(uint64_t n) const {
    int host_bits = addr_.bits() - len_;
    if (host_bits < 64 && n >= (uint64_t{1} << host_bits))
        return std::nullopt;
    return network().address().plus(n);
}

bool IpPrefix::contains(const IpAddress& a) const {
    return a.family() == family() && a.masked(len_) == addr_.masked(len_);
}

bool IpPrefix::overlaps(const IpPrefix& other) const {
    if (other.family() != family())
        return false;
    int len = std::min(length(), other.length());
    return addr_.masked(len) == other.addr_.masked(len);
}

std::string IpPrefix::str() const {
    return fmt::format("{}/{}", addr_.str(), len_);
}

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
    MacAddress m;
    if (text.size() != 17)
        return std::nullopt;
    for (size_t i = 0; i < 6; ++i) {
        if (i > 0 && text[i * 3 - 1] != ':')
            return std::nullopt;
        unsigned v = 0;
        for (size_t j = 0; j < 2; ++j) {
            char c = text[i * 3 + j];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                return std::nullopt;
        }
        m.bytes[i] = static_cast<uint8_t>(v);
    }
    return m;
}

std::string MacAddress::str() const {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", bytes[0], bytes[1], bytes[2],
                       bytes[3], bytes[4], bytes[5]);
}

}  // namespace perouter
