/* GNU-only and macro-only socket calls for BatonNet (see CBatonSys.h). */
#define _GNU_SOURCE
#include "CBatonSys.h"
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>

_Static_assert(sizeof(baton_epoll_event) == sizeof(struct epoll_event), "epoll_event size");
_Static_assert(offsetof(baton_epoll_event, data) == offsetof(struct epoll_event, data), "epoll_event layout");
_Static_assert(EPOLLIN == 0x001 && EPOLLPRI == 0x002 && EPOLLOUT == 0x004 && EPOLLERR == 0x008 &&
               EPOLLHUP == 0x010 && EPOLLRDHUP == 0x2000 && EPOLLONESHOT == (1u << 30) &&
               EPOLLET == (1u << 31), "EPOLL* values");
_Static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_DEL == 2 && EPOLL_CTL_MOD == 3, "EPOLL_CTL_* values");

int baton_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int baton_ignore_sigpipe(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGPIPE, &action, NULL) == 0 ? 0 : errno;
}

int baton_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int baton_epoll_ctl(int epoll_fd, int operation, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = {.events = events, .data.u64 = data};
    return epoll_ctl(epoll_fd, operation, fd, &event);
}

int baton_epoll_wait(int epoll_fd, baton_epoll_event *events, int capacity, int timeout_ms) {
    return epoll_wait(epoll_fd, (struct epoll_event *)events, capacity, timeout_ms);
}
