using Portal.Core.Configuration;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Configuration;

public class PortalConfigLoaderTests : IDisposable
{
    private readonly TempDir _work = new();
    private readonly TempDir _home = new();

    private PortalConfigLoader.Result Load(Dictionary<string, string?>? env = null, string? explicitFile = null) =>
        PortalConfigLoader.Load(new ConfigSources(_work.Path, _home.Path, env ?? [], explicitFile));

    private string HomeFile(string yaml) => _home.File(".portal/portal.yaml", yaml);
    private string LocalFile(string yaml) => _work.File("portal.yaml", yaml);

    [Fact]
    public void Without_files_the_built_in_defaults_apply()
    {
        var (config, file) = Load();
        Assert.Null(file);
        Assert.Equal("sqlite", config.Store.Type);
        Assert.Equal("local", config.ContainerManager.Type);
        Assert.Equal(20, config.ContainerManager.ApiTimeout);
        Assert.Equal(["nha-depl", "nha-ide", "nha-train"], config.ContainerManager.ResourceProfiles.Keys.Order());
        Assert.Equal("unix:/var/run/docker.sock", config.Docker.DaemonAddress);
        Assert.Equal(1024, config.FileStore.MaxUploadMb);
    }

    [Fact]
    public void The_file_in_the_working_directory_extends_the_defaults()
    {
        var path = LocalFile("container_manager:\n  api_timeout: 45\n  resource_profiles:\n    heavy:\n      requests: {cpu: 2, memory: 2048}\n");
        var (config, file) = Load();
        Assert.Equal(path, file);
        Assert.Equal(45, config.ContainerManager.ApiTimeout);
        Assert.Equal("local", config.ContainerManager.Type);
        Assert.Contains("heavy", config.ContainerManager.ResourceProfiles.Keys);
        Assert.Contains("nha-train", config.ContainerManager.ResourceProfiles.Keys);
        Assert.Equal(2048, config.ContainerManager.ResourceProfiles["heavy"].Requests!.Memory);
    }

    [Fact]
    public void The_home_file_is_used_only_when_there_is_no_local_file()
    {
        HomeFile("router:\n  timeout_seconds: 7\nlogger:\n  level: DEBUG\n");
        Assert.Equal(7, Load().Config.Router.TimeoutSeconds);

        LocalFile("logger:\n  level: WARN\n");
        var (config, file) = Load();
        Assert.EndsWith(Path.Combine(Path.GetFileName(_work.Path), "portal.yaml"), file);
        Assert.Equal("WARN", config.Logger.Level);
        Assert.Equal(30, config.Router.TimeoutSeconds);
    }

    [Fact]
    public void Environment_variables_override_single_values_from_the_file()
    {
        LocalFile("store:\n  data_dir: /from/file\ncontainer_manager:\n  api_timeout: 45\n");
        var (config, _) = Load(new()
        {
            ["PORTAL__STORE__DATA_DIR"] = "/from/env",
            ["portal__container_manager__resource_profiles__nha-train__limits__memory"] = "8192",
            ["UNRELATED"] = "x",
        });
        Assert.Equal("/from/env", config.Store.DataDir);
        Assert.Equal(45, config.ContainerManager.ApiTimeout);
        Assert.Equal(8192, config.ContainerManager.ResourceProfiles["nha-train"].Limits!.Memory);
        Assert.Equal(1, config.ContainerManager.ResourceProfiles["nha-train"].Requests!.Cpu);
    }

    [Fact]
    public void An_unknown_key_is_reported_with_file_line_column_and_the_known_keys()
    {
        var path = LocalFile("store:\n  type: sqlite\n  data_dri: /x\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        var problem = Assert.Single(e.Problems);
        Assert.Equal(path, problem.Origin);
        Assert.Equal((3, 3), (problem.Line, problem.Column));
        Assert.Contains("Unknown key 'data_dri' in 'store'", problem.Message);
        Assert.Contains("data_dir", problem.Message);
        Assert.Contains($"{path}:3:3:", e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0:0")]
    [InlineData("00:1000")]
    [InlineData("root")]
    [InlineData("1000:x")]
    public void User_code_is_never_set_to_run_as_root_or_a_name(string user)
    {
        var config = new PortalConfig();
        config.ContainerManager.User = user;
        config.ContainerManager.ImageUsers["registry.example.com/team/*"] = user;
        var problems = PortalConfigValidator.Validate(config).Select(v => v.Path).ToList();
        Assert.Contains("container_manager.user", problems);
        Assert.Contains("container_manager.image_users.registry.example.com/team/*", problems);
    }

    [Fact]
    public void An_unknown_section_is_reported()
    {
        LocalFile("mongo:\n  port: 30017\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains("Unknown key 'mongo' at the top level", e.Message);
        Assert.Contains("container_manager", e.Message);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        LocalFile("store:\n  colour: red\nrouter:\n  timeout_seconds: soon\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Line == 4 && p.Message.Contains("'router.timeout_seconds' takes a whole number; 'soon' is not one."));
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_position()
    {
        var path = LocalFile("store:\n  type: sqlite\n   data_dir: /x\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        var problem = Assert.Single(e.Problems);
        Assert.Equal(path, problem.Origin);
        Assert.Equal(3, problem.Line);
        Assert.Contains("not valid YAML", problem.Message);
    }

    [Fact]
    public void A_section_given_a_value_is_reported()
    {
        LocalFile("docker: unix:/var/run/docker.sock\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains("'docker' is a section and takes a mapping of keys, not a single value.", e.Message);
    }

    [Fact]
    public void Rule_violations_point_at_the_value_that_breaks_them()
    {
        LocalFile("container_manager:\n  type: nomad\n  resource_profiles:\n    bad:\n      requests: {cpu: 4, memory: 512}\n      limits: {cpu: 2, memory: 256}\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains(e.Problems, p => p.Line == 2 && p.Message.Contains("'container_manager.type' is 'nomad'; use one of local, docker, swarm, kube."));
        Assert.Contains(e.Problems, p => p.Message.Contains("requests.cpu' (4) is more than the limit (2)"));
        Assert.Contains(e.Problems, p => p.Message.Contains("requests.memory' (512 MB) is more than the limit (256 MB)"));
    }

    [Fact]
    public void Kubernetes_volume_size_and_access_mode_must_be_what_a_claim_accepts()
    {
        LocalFile("kube:\n  volume_size: 5 GB\n  volume_access_mode: ReadWriteAll\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains(e.Problems, p => p.Line == 2 && p.Message.Contains("'kube.volume_size' is '5 GB'; write a size such as 5Gi"));
        Assert.Contains(e.Problems, p => p.Line == 3 && p.Message.Contains("use ReadWriteOnce, ReadWriteMany or ReadWriteOncePod"));

        LocalFile("kube:\n  volume_size: 1.5Ti\n  volume_access_mode: ReadWriteMany\n");
        var kube = Load().Config.Kube;
        Assert.Equal(("1.5Ti", "ReadWriteMany"), (kube.VolumeSize, kube.VolumeAccessMode));
    }

    [Fact]
    public void Cpu_finer_than_a_millicore_is_refused()
    {
        LocalFile("container_manager:\n  resource_profiles:\n    tiny:\n      requests: {cpu: 0.0005}\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains("at most 3 decimals", e.Message);
    }

    [Fact]
    public void Noronha_profile_keys_are_understood()
    {
        LocalFile("container_manager:\n  resource_profiles:\n    elastic-deploy:\n      auto_scale: true\n      minReplicas: 1\n      maxReplicas: 10\n      targetCPUUtilizationPercentage: 50\n      service_type: ClusterIP\n      enable_gpu: true\n");
        var profile = Load().Config.ContainerManager.ResourceProfiles["elastic-deploy"];
        Assert.True(profile.AutoScale);
        Assert.Equal((1, 10, 50), (profile.MinReplicas, profile.MaxReplicas, profile.TargetCpuUtilizationPercentage));
        Assert.Equal("ClusterIP", profile.ServiceType);
        Assert.True(profile.EnableGpu);
    }

    [Fact]
    public void A_bad_environment_variable_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => Load(new() { ["PORTAL__STORE__DATADIR"] = "/x", ["PORTAL__ROUTER__TIMEOUT_SECONDS"] = "-1" }));
        Assert.Contains("environment variable PORTAL__STORE__DATADIR: Unknown key 'datadir' in 'store'", e.Message);

        e = Assert.Throws<ConfigException>(() => Load(new() { ["PORTAL__ROUTER__TIMEOUT_SECONDS"] = "-1" }));
        Assert.Contains("environment variable PORTAL__ROUTER__TIMEOUT_SECONDS: 'router.timeout_seconds' must be above 0.", e.Message);
    }

    [Fact]
    public void A_postgres_store_takes_its_connection_string_from_the_environment_and_says_what_is_missing()
    {
        var e = Assert.Throws<ConfigException>(() => Load(new() { ["PORTAL__STORE__TYPE"] = "postgres" }));
        Assert.Contains("'store.connection_string' is needed with store.type postgres", e.Message);
        Assert.Contains("PORTAL__STORE__CONNECTION_STRING", e.Message);
        e = Assert.Throws<ConfigException>(() => Load(new() { ["PORTAL__STORE__TYPE"] = "postgres", ["PORTAL__STORE__CONNECTION_STRING"] = "Port=5432;Database=portal" }));
        Assert.Contains("'store.connection_string' names no Host", e.Message);
        e = Assert.Throws<ConfigException>(() => Load(new() { ["PORTAL__STORE__TYPE"] = "mongo" }));
        Assert.Contains("'store.type' is 'mongo'; use sqlite (embedded) or postgres.", e.Message);

        var loaded = Load(new()
        {
            ["PORTAL__STORE__TYPE"] = "postgres", ["PORTAL__STORE__CONNECTION_STRING"] = "Host=db.example.com;Database=portal;Username=portal;Password=s3cret",
        });
        var store = Portal.Core.Persistence.MetadataStore.From(loaded.Config, PortalPaths.From(loaded.Config, "/home/ana"));
        Assert.True(store.IsPostgres);
        Assert.Equal("PostgreSQL db.example.com:5432/portal as portal", store.Describe());
    }

    [Fact]
    public void An_empty_file_means_the_defaults()
    {
        LocalFile("# nothing yet\n");
        Assert.Equal("sqlite", Load().Config.Store.Type);
    }

    [Fact]
    public void An_explicit_file_replaces_the_resolution_and_must_exist()
    {
        LocalFile("logger:\n  level: WARN\n");
        var other = _home.File("elsewhere.yaml", "logger:\n  level: ERROR\n");
        Assert.Equal("ERROR", Load(explicitFile: other).Config.Logger.Level);
        var e = Assert.Throws<ConfigException>(() => Load(explicitFile: "/nope/portal.yaml"));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Paths_expand_the_home_directory()
    {
        var config = PortalConfigLoader.Parse("store:\n  data_dir: ~/portal-data\n", "test.yaml");
        var paths = PortalPaths.From(config, "/home/ana");
        Assert.Equal("/home/ana/portal-data", paths.DataDir);
        Assert.Equal("/home/ana/portal-data/portal.db", paths.DatabaseFile);
        Assert.Equal("/home/ana/portal-data/files", paths.FileStoreRoot);
    }

    public void Dispose()
    {
        _work.Dispose();
        _home.Dispose();
    }
}
