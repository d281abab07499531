// node's net module: a server and a client in one event loop (writev, epoll, syscall close).
const net = require('net');
const server = net.createServer(c => {
  c.on('data', d => { c.cork(); c.write(d.toString().toUpperCase()); c.write('!'); c.uncork(); c.end(); });
});
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.write('hello node'));
  c.on('data', d => process.stdout.write(d + '\n'));
  c.on('end', () => server.close());
});
