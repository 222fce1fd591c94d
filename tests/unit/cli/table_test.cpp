#include "cli/table.hpp"

#include <gtest/gtest.h>

namespace perouter::cli {
namespace {

TEST(Table, PadsColumnsToTheWidestCellWithoutTrailingBlanks) {
    Table t{{"NAME", "VNI", "SOURCE"}, {{"red", "100", "/etc/a.toml"}, {"storage", "7", "/b"}}};
    EXPECT_EQ(render_table(t, true),
              "NAME    VNI SOURCE\n"
              "red     100 /etc/a.toml\n"
              "storage 7   /b\n");
}

TEST(Table, EmptyCellsAreDashes) {
    Table t{{"NAME", "VRF", "STATE"}, {{"storage", "", "configured"}}};
    EXPECT_EQ(render_table(t, true),
              "NAME    VRF STATE\n"
              "storage -   configured\n");
}

TEST(Table, WithoutLegendHeaderDoesNotWidenColumns) {
    Table t{{"NAME", "KIND"}, {{"a", "l2vni"}}};
    EXPECT_EQ(render_table(t, false), "a l2vni\n");
}

TEST(Table, ListingHasNetworkctlFooter) {
    Table t{{"NAME"}, {{"a"}, {"b"}}};
    EXPECT_EQ(render_listing(t, true, "vpn", "vpns"), "NAME\na\nb\n\n2 vpns listed.\n");
    EXPECT_EQ(render_listing(t, false, "vpn", "vpns"), "a\nb\n");
    EXPECT_EQ(listed_footer(1, "vpn", "vpns"), "1 vpn listed.");
    EXPECT_EQ(listed_footer(0, "vpn", "vpns"), "0 vpns listed.");
}

TEST(Table, EmptyListingStillShowsHeaderAndCount) {
    Table t{{"NAME", "KIND"}, {}};
    EXPECT_EQ(render_listing(t, true, "vpn", "vpns"), "NAME KIND\n\n0 vpns listed.\n");
}

}  // namespace
}  // namespace perouter::cli
