/* A client that connects, sends, and then crashes (SIGSEGV) before reading the reply:
 * the trace must still show every call it made, and how it ended. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t length = sizeof addr;
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 1) != 0) return 1;
    getsockname(server, (struct sockaddr *)&addr, &length);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
    int conn = accept(server, NULL, NULL);
    if (send(client, "hello", 5, 0) != 5) return 1;
    char buffer[16];
    if (recv(conn, buffer, sizeof buffer, 0) != 5) return 1;
    raise(SIGSEGV);
    return 0;
}
