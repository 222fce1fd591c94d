// A stand-in FRR daemon on a unix socket, for the vty clients' tests (frr/vty.hpp and
// daemon/async_vty_query.hpp): accepts one connection and hands each NUL-terminated command to
// `answer`, which writes what the daemon sends back (vty_reply: the output, three NULs and the
// status byte, as FRR's lib/vty.c does) and returns whether to read the next command; the
// connection closes when it returns false or the client hangs up.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace perouter::testing {

class VtyStandIn {
  public:
    using Answer = std::function<bool(int fd, const std::string& command)>;

    explicit VtyStandIn(Answer answer) {
        char tmpl[] = "/tmp/perouter-vty-stand-in.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/bgpd.vty";
        listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listen_, 1), 0);
        thread_ = std::thread([this, answer = std::move(answer)] {
            int fd = ::accept(listen_, nullptr, nullptr);
            if (fd < 0)
                return;
            std::string buf;
            char c;
            while (::read(fd, &c, 1) == 1) {
                if (c != '\0') {
                    buf += c;
                    continue;
                }
                if (!answer(fd, buf))
                    break;
                buf.clear();
            }
            ::close(fd);
        });
    }
    ~VtyStandIn() {
        ::shutdown(listen_, SHUT_RDWR);
        thread_.join();
        ::close(listen_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    VtyStandIn(const VtyStandIn&) = delete;
    VtyStandIn& operator=(const VtyStandIn&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string dir_, path_;
    int listen_ = -1;
    std::thread thread_;
};

/// A daemon's answer as it goes on the wire.
inline std::string vty_framed(const std::string& output, char status) {
    return output + std::string(3, '\0') + std::string(1, status);
}

inline void write_all(int fd, const std::string& data) {
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
}

}  // namespace perouter::testing
