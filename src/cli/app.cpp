#include "cli/app.hpp"

namespace perouter::cli {
namespace {

/// Shows "--json[=MODE]" in --help instead of CLI11's spelling of a flag with a default value.
class HelpFormatter : public CLI::Formatter {
  public:
    std::string make_option_name(const CLI::Option* opt, bool positional) const override {
        if (opt->get_lnames() == std::vector<std::string>{"json"})
            return "--json[=MODE]";
        return CLI::Formatter::make_option_name(opt, positional);
    }
    std::string make_option_opts(const CLI::Option* opt) const override {
        if (opt->get_lnames() == std::vector<std::string>{"json"})
            return "";
        return CLI::Formatter::make_option_opts(opt);
    }
};

CLI::App* command(CLI::App& parent, Invocation& inv, const std::string& name,
                  const std::string& help, const std::string& full_name) {
    CLI::App* sub = parent.add_subcommand(name, help);
    sub->callback([&inv, full_name] { inv.command = full_name; });
    return sub;
}

void define_vpn(CLI::App& app, Invocation& inv) {
    CLI::App* vpn = app.add_subcommand("vpn", "List, show, add and remove VPNs");
    vpn->require_subcommand(1);

    CLI::App* list =
        command(*vpn, inv, "list", "List the VPNs (NAME KIND VNI VRF STATE SOURCE)", "vpn list");
    list->add_flag("--names", inv.names_only, "Print only the names, one per line");

    CLI::App* show = command(*vpn, inv, "show", "Show one VPN and its configuration", "vpn show");
    show->add_option("NAME", inv.vpn_name, "The VPN")->required();

    CLI::App* add = command(*vpn, inv, "add",
                            "Add a VPN from a TOML document (FILE, - for standard input) or from "
                            "the flags below; returns once it is applied",
                            "vpn add");
    add->add_option("NAME", inv.vpn_name, "The VPN's name (as in the document)")->required();
    add->add_option("FILE", inv.vpn_file,
                    "A document with exactly one [[l3vni]], [[l2vni]] or [[l3vpn]] named NAME");
    add->add_flag("--persist", inv.persist,
                  "Write it to /etc/perouter/perouter.d (kept across reboots) instead of /run");
    add->add_flag("--print", inv.print_only,
                  "Print the document built from the flags and exit; contacts no daemon");
    auto* g = add->add_option_group("build", "Build a simple VPN instead of reading FILE");
    auto* l2 = g->add_flag("--l2vni", inv.l2vni, "An L2VNI");
    auto* l3 = g->add_flag("--l3vni", inv.l3vni, "An L3VNI");
    auto* srv6 = g->add_flag("--l3vpn", inv.l3vpn, "An SRv6 L3VPN");
    l2->excludes(l3);
    srv6->excludes(l2)->excludes(l3);
    g->add_option_function<uint32_t>(
         "--vni", [&inv](const uint32_t& v) { inv.spec.vni = v; }, "The VXLAN VNI")
        ->type_name("N");
    g->add_option("--vrf", inv.spec.vrf, "l3vni, l3vpn: the VRF")->type_name("NAME");
    g->add_flag("--default-gateway", inv.spec.default_gateway,
                "l3vni, l3vpn: the host's default route goes through this VPN");
    g->add_option_function<uint32_t>(
         "--rd-assigned-number", [&inv](const uint32_t& v) { inv.spec.rd_assigned_number = v; },
         "l3vpn: the assigned number of its RD and default export RT")
        ->type_name("N");
    g->add_option("--import-rt", inv.spec.import_rts, "l3vpn: a route target to import")
        ->type_name("RT")
        ->allow_extra_args(false);
    g->add_option_function<uint32_t>(
         "--asn", [&inv](const uint32_t& v) { inv.spec.asn = v; },
         "l3vni, l3vpn: host session, the router side's ASN")
        ->type_name("ASN");
    g->add_option_function<uint32_t>(
         "--host-asn", [&inv](const uint32_t& v) { inv.spec.host_asn = v; },
         "l3vni, l3vpn: host session, the host's ASN")
        ->type_name("ASN");
    g->add_option("--local-cidr", inv.spec.local_cidrs,
                  "l3vni, l3vpn: host session address pool (one IPv4, one IPv6)")
        ->type_name("ADDR/LEN")
        ->allow_extra_args(false);
    g->add_option("--routing-domain", inv.spec.routing_domain,
                  "l2vni: the name of the L3VNI that routes it")
        ->type_name("L3VNI");
    g->add_option("--gateway-ip", inv.spec.gateway_ips,
                  "l2vni: anycast gateway address (one IPv4, one IPv6)")
        ->type_name("ADDR/LEN")
        ->allow_extra_args(false);
    g->add_option_function<std::string>(
         "--host-bridge", [&inv](const std::string& v) { inv.spec.host_bridge = v; },
         "l2vni: the host end's Linux bridge, 'managed' (br-hs-<vni>) or existing")
        ->type_name("managed|NAME");
    g->add_option_function<std::string>(
         "--ovs-bridge", [&inv](const std::string& v) { inv.spec.ovs_bridge = v; },
         "l2vni: the host end's Open vSwitch bridge instead, 'managed' or existing")
        ->type_name("managed|NAME");

    CLI::App* remove =
        command(*vpn, inv, "remove", "Remove a VPN added at runtime; returns once it is removed",
                "vpn remove");
    remove->add_option("NAME", inv.vpn_name, "The VPN")->required();
}

}  // namespace

void define_app(CLI::App& app, Invocation& inv) {
    app.formatter(std::make_shared<HelpFormatter>());
    app.description("perouterctl - control and inspect perouterd, the EVPN provider-edge router");
    app.set_version_flag("--version", std::string(PEROUTER_VERSION));
    // Global options may follow the command too ("perouterctl vpn list --json").
    app.fallthrough();
    app.require_subcommand(1);
    app.add_flag("--json{pretty}", inv.json, "Print JSON: MODE is pretty (the default) or short")
        ->check(CLI::IsMember({"pretty", "short"}));
    app.add_option("--root", inv.root,
                   "Prefix of the configuration directories (local commands and diff)")
        ->type_name("DIR");
    app.add_option("--bus-address", inv.bus_address,
                   "Talk to perouterd on this D-Bus address instead of the system bus")
        ->type_name("ADDR");
    app.add_flag("--no-ask-password", inv.no_ask_password, "Do not let polkit ask for a password");
    app.add_flag("--no-legend", inv.no_legend, "Print tables without header and footer");
    app.footer(
        "Exit status: 0 success; 1 failure (refused, invalid configuration, drift, timeout);\n"
        "2 usage error; 3 perouterd not running. See perouterctl(8).");

    command(app, inv, "status", "Show the router's state, underlay peers and VPNs", "status");
    define_vpn(app, inv);
    command(app, inv, "reload",
            "Re-read the configuration and apply it; returns once applied (ExecReload=)", "reload");

    CLI::App* validate =
        command(app, inv, "validate", "Check FILEs with the installed configuration (no daemon)",
                "validate");
    validate->add_option("FILE", inv.files, "Configuration files (- for standard input)")
        ->required();
    validate->add_flag("--standalone", inv.standalone,
                       "Check only the FILEs, as a complete configuration");

    CLI::App* diff = command(app, inv, "diff",
                             "Print what applying the configuration would change; exit 1 on "
                             "drift (needs root)",
                             "diff");
    diff->add_option("--netns", inv.netns, "The router namespace")->type_name("NAME");
    diff->add_option("--host-netns", inv.host_netns, "The namespace playing the host")
        ->type_name("NAME");

    command(app, inv, "cat-config", "Print the configuration files in merge order", "cat-config");
    command(app, inv, "show-config", "Print the merged configuration as JSON", "show-config");

    CLI::App* wait = command(app, inv, "wait-online",
                             "Wait until the underlay is up and the default-gateway VPNs are "
                             "configured",
                             "wait-online");
    wait->add_option("--timeout", inv.timeout_sec, "Give up after SEC seconds (0 = never)")
        ->type_name("SEC")
        ->capture_default_str();

    CLI::App* import_cmd = command(app, inv, "import",
                                   "Convert the upstream Open PE Router's YAML (static files, "
                                   "Kubernetes resources) to perouter TOML (no daemon)",
                                   "import");
    import_cmd->add_option("FILE", inv.files, "YAML files (- for standard input), merged in order")
        ->required();
    import_cmd
        ->add_option("-o,--output", inv.output,
                     "Write the TOML to FILE (replaced atomically) instead of standard output")
        ->type_name("FILE");
}

std::vector<std::string> command_names(CLI::App& app) {
    std::vector<std::string> out;
    for (const CLI::App* sub : app.get_subcommands({}))
        out.push_back(sub->get_name());
    return out;
}

}  // namespace perouter::cli
