#include "common/ip.hpp"

#include <gtest/gtest.h>

namespace perouter {
namespace {

IpPrefix P(const char* s) {
    return *IpPrefix::parse(s);
}
IpAddress A(const char* s) {
    return *IpAddress::parse(s);
}

TEST(IpAddress, ParsesBothFamiliesAndRejectsJunk) {
    EXPECT_TRUE(A("192.168.1.1").is_v4());
    EXPECT_TRUE(A("2001:db8::1").is_v6());
    EXPECT_FALSE(IpAddress::parse("192.168.1.256"));
    EXPECT_FALSE(IpAddress::parse("10.0.0.1/24"));
    EXPECT_FALSE(IpAddress::parse(""));
}

TEST(IpAddress, PlusCarriesAcrossBytesAndDetectsOverflow) {
    EXPECT_EQ(A("10.0.0.255").plus(1)->str(), "10.0.1.0");
    EXPECT_EQ(A("2001:db8::ffff").plus(1)->str(), "2001:db8::1:0");
    EXPECT_FALSE(A("255.255.255.255").plus(1));
}

TEST(IpPrefix, HostNumbering) {
    EXPECT_EQ(P("10.0.0.0/24").host(1)->str(), "10.0.0.1");
    EXPECT_EQ(P("100.65.0.0/24").host(0)->str(), "100.65.0.0");
    EXPECT_EQ(P("192.168.1.7/24").host(3)->str(), "192.168.1.3");
    EXPECT_FALSE(P("10.0.0.0/30").host(4));
    EXPECT_EQ(P("2001:db8:1::/64").host(2)->str(), "2001:db8:1::2");
}

TEST(IpPrefix, ParseRequiresLengthThatFitsTheFamily) {
    EXPECT_FALSE(IpPrefix::parse("10.0.0.0"));
    EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
    EXPECT_FALSE(IpPrefix::parse("10.0.0.0/-1"));
    EXPECT_TRUE(IpPrefix::parse("2001:db8::/128"));
}

TEST(IpPrefix, ContainmentAndOverlap) {
    EXPECT_TRUE(P("192.168.0.0/16").overlaps(P("192.168.10.0/24")));
    EXPECT_TRUE(P("192.168.10.0/24").overlaps(P("192.168.0.0/16")));
    EXPECT_FALSE(P("192.168.10.0/24").overlaps(P("192.168.11.0/24")));
    EXPECT_FALSE(P("10.0.0.0/8").overlaps(P("::/0")));
    EXPECT_TRUE(P("192.170.1.1/24").contains(A("192.170.1.200")));
    EXPECT_TRUE(P("192.170.1.1/24").has_host_bits());
    EXPECT_EQ(P("192.170.1.1/24").network().str(), "192.170.1.0/24");
}

TEST(MacAddress, RoundTrip) {
    auto m = MacAddress::parse("00:F3:00:00:00:6f");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->str(), "00:f3:00:00:00:6f");
    EXPECT_FALSE(MacAddress::parse("00:f3:00:00:00"));
}

}  // namespace
}  // namespace perouter
