# perl IO::Socket: a server that forks, and its client.
use strict;
use IO::Socket::INET;
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, ReuseAddr => 1) or die;
my $port = $server->sockport;
my $pid = fork();
if ($pid == 0) {
    my $c = $server->accept;
    my $line = <$c>;
    print $c uc($line);
    close $c;
    exit 0;
}
my $client = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or die;
print $client "hello perl\n";
my $reply = <$client>;
print $reply;
close $client;
waitpid($pid, 0);
