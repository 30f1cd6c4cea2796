// Iceberg's REST catalog test fixture served by Jetty on 127.0.0.1 only.
//
// Why our own launcher: Iceberg's RESTCatalogServer binds every interface. This one wraps the same
// RESTCatalogServlet(new RESTCatalogAdapter(catalog)) and binds loopback. The backing catalog is
// built from CATALOG_* variables as Iceberg's Docker image reads them: CATALOG_URI=jdbc:...,
// CATALOG_WAREHOUSE=s3://..., CATALOG_IO__IMPL=... ("__" is "-", "_" is ".").
//
// Run with Java's single-file source launch: java -cp '<jars>/*' RestCatalogLauncher.java <port>
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public class RestCatalogLauncher {
  static Map<String, String> catalogProperties() {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
    props.put("jdbc.schema-version", "V1");
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getKey().startsWith("CATALOG_")) {
        String key = e.getKey().substring("CATALOG_".length()).toLowerCase(Locale.ROOT);
        props.put(key.replace("__", "-").replace("_", "."), e.getValue());
      }
    }
    return props;
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Catalog catalog =
        CatalogUtil.buildIcebergCatalog("rest_backend", catalogProperties(), new Configuration());
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(
        new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(catalog))), "/*");
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
    System.out.println("REST catalog on http://127.0.0.1:" + port);
    server.join();
  }
}
