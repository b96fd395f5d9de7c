using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Tests.Unit.Support;
using static Portal.Tests.Unit.Trainings.TrainingRunTests;

namespace Portal.Tests.Unit.Noronha;

/// <summary>
/// Notebooks written for Noronha (noronha.tools: shortcuts, a parameters cell, Publisher, OnlinePredict), unchanged,
/// through training → model version → deployment → <c>POST /model/{deployment}/predict</c>, with real Python on the
/// local manager and in containers on the real swarm.
/// </summary>
public sealed class NoronhaNotebookTests
{
    private const string TrainCells = """
        import pickle
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        from noronha.common.errors import ResolutionError
        from noronha.tools.shortcuts import data_path, dataset_meta, model_path, movers_meta, require_dataset, require_movers, tmp_path, train_meta
        from noronha.tools.publish import Publisher
        """;

    private const string TrainBody = """
        frame = pd.read_csv(data_path('iris.csv'))
        X, y = frame.drop(columns='species').values, frame['species'].values
        clf = RandomForestClassifier(n_estimators=n_estimators, random_state=1).fit(X, y)
        accuracy = float(clf.score(X, y))
        pickle.dump(clf, open(tmp_path('clf.pkl'), 'wb'))
        print('dataset', dataset_meta().name, dataset_meta().model.name, dataset_meta().details['source'], flush=True)
        print('training', train_meta().name, train_meta().details['n_estimators'], flush=True)
        try:
            data_path(dataset='nope')
        except ResolutionError as e:
            print('resolution:', e, flush=True)
        extra = require_dataset('extra')
        print('required rows', len(open(data_path('rows.csv', dataset='extra')).read().splitlines()), flush=True)
        print('required version', open(model_path('seed.txt', version='seed')).read() if require_movers('seed') else None,
              movers_meta(version='seed').details['note'], flush=True)
        Publisher()(details={'metrics': {'accuracy': accuracy}, 'params': {'n_estimators': n_estimators}})
        """;

    private const string PredictCells = """
        import json
        import pickle
        from noronha.tools.shortcuts import model_path
        from noronha.tools.serving import OnlinePredict

        clf = pickle.load(open(model_path('clf.pkl'), 'rb'))

        def pred(body):
            return clf.predict(json.loads(body)).tolist()

        server = OnlinePredict(predict_func=pred)
        server()
        """;

    [SkippableTheory]
    [InlineData("local")]
    [InlineData("swarm")]
    public async Task A_notebook_written_for_Noronha_trains_publishes_and_serves_unchanged(string manager)
    {
        RealPython.Require();
        if (manager == "swarm") await RealDocker.RequireNotebookBaseAsync();
        await using var portal = await RealPortalHost.StartAsync(manager: manager);
        var http = portal.Http;
        (await http.PostAsJsonAsync("/api/v1/models", new { name = "iris-clf" })).EnsureSuccessStatusCode();
        var home = WriteNotebook(portal.Dir, "nha", "n_estimators = 3", TrainCells, TrainBody);
        File.Move(Path.Combine(home, "nb.ipynb"), Path.Combine(home, "train.ipynb"));
        WriteNotebook(portal.Dir, "nha-predict", "# no parameters", PredictCells);
        File.Move(Path.Combine(portal.Dir.Path, "nha-predict", "nb.ipynb"), Path.Combine(home, "predict.ipynb"));
        (await http.PostAsJsonAsync("/api/v1/projects", new { name = "nha", home_dir = home, models = new[] { "iris-clf" } })).EnsureSuccessStatusCode();

        await UploadAsync(http, "/api/v1/models/iris-clf/datasets", "iris-data", "iris.csv", await IrisCsvAsync(portal), """{"source": "sklearn"}""");
        await UploadAsync(http, "/api/v1/models/iris-clf/datasets", "extra", "rows.csv", "a\n1\n2\n3\n"u8.ToArray(), "{}");
        await UploadAsync(http, "/api/v1/models/iris-clf/versions", "seed", "seed.txt", "seeded"u8.ToArray(), """{"note": "from before"}""");

        (await http.PostAsJsonAsync("/api/v1/trainings", new
        {
            project = "nha", name = "nha-run", notebook = "train.ipynb", datasets = new[] { "iris-clf/iris-data" }, parameters = new { n_estimators = 7 },
        })).EnsureSuccessStatusCode();
        var training = await AssertFinishesAsync(http, "nha", "nha-run", 240);
        var log = await http.GetStringAsync("/api/v1/trainings/nha/nha-run/log");
        Assert.Contains("dataset iris-data iris-clf sklearn", log);
        Assert.Contains("training nha-run 7", log);
        Assert.Contains("resolution: Could not resolve path to dataset 'nope' under directory", log);
        Assert.Contains("No options found", log);
        Assert.Contains("required rows 4", log);
        Assert.Contains("required version seeded from before", log);
        Assert.InRange(training.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.9, 1.0);

        // Publisher: the version is named after the training, linked to it and its dataset, with the details as given.
        var version = await http.GetFromJsonAsync<JsonElement>("/api/v1/models/iris-clf/versions/nha-run");
        Assert.Equal("nha/nha-run", version.GetProperty("training").GetString());
        Assert.Equal("iris-data", version.GetProperty("dataset").GetString());
        Assert.Equal(7, version.GetProperty("details").GetProperty("params").GetProperty("n_estimators").GetInt32());
        Assert.InRange(version.GetProperty("details").GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.9, 1.0);
        Assert.Equal(["clf.pkl"], version.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));

        (await http.PostAsJsonAsync("/api/v1/deployments", new { name = "nha-api", project = "nha", model_version = "iris-clf/nha-run", entry = "predict.ipynb" }))
            .EnsureSuccessStatusCode();
        await WaitUntilHealthyAsync(http, "nha-api");
        var request = new HttpRequestMessage(HttpMethod.Post, "/model/nha-api/predict")
        {
            Content = new StringContent("[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]", Encoding.UTF8, "application/json"),
        };
        var answer = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["setosa", "virginica"], body.GetProperty("result").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["iris-clf:nha-run"], body.GetProperty("metadata").GetProperty("model_version").EnumerateArray().Select(v => v.GetString()));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", body.GetProperty("metadata").GetProperty("datetime").GetString());

        // Recorded like any prediction: its Request-ID takes feedback.
        var requestId = answer.Headers.GetValues("Request-ID").Single();
        var feedback = new HttpRequestMessage(HttpMethod.Post, "/feedback/model/nha-api") { Content = JsonContent.Create(new { correct = true }) };
        feedback.Headers.Add("Request-ID", requestId);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(feedback)).StatusCode);

        // Noronha's answer to a predict function that throws: 501 with the error, and the server stays up.
        var broken = await http.PostAsync("/model/nha-api/predict", new StringContent("not json", Encoding.UTF8, "text/plain"));
        Assert.Equal((HttpStatusCode)501, broken.StatusCode);
        Assert.Contains("JSONDecodeError", (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("err").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/model/nha-api/health")).StatusCode);
    }

    [Fact]
    public async Task Fetching_a_dataset_needs_the_token_of_a_running_training()
    {
        await using var portal = await RealPortalHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(portal.BaseAddress) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/tasks/datasets/m/d")).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "made-up");
        var refused = await anonymous.GetAsync("/api/v1/tasks/models/m/versions/1/files/model.pkl");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("The task token is not valid", await refused.Content.ReadAsStringAsync());
        // A user's own token is not a task token either.
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.Http.GetAsync("/api/v1/tasks/datasets/m/d")).StatusCode);
    }

    private static async Task<byte[]> IrisCsvAsync(RealPortalHost portal)
    {
        var path = Path.Combine(portal.Dir.Path, "iris.csv");
        await RealPython.RunAsync($"""
            from sklearn.datasets import load_iris
            frame = load_iris(as_frame=True).frame
            frame['species'] = [load_iris().target_names[t] for t in frame.pop('target')]
            frame.to_csv({JsonSerializer.Serialize(path)}, index=False)
            """);
        return await File.ReadAllBytesAsync(path);
    }

    private static async Task UploadAsync(HttpClient http, string url, string name, string fileName, byte[] content, string details)
    {
        var form = new MultipartFormDataContent { { new StringContent(name), "name" }, { new StringContent(details), "details" } };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "files", fileName);
        var response = await http.PostAsync(url, form);
        Assert.True(response.IsSuccessStatusCode, $"{url} {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    internal static async Task WaitUntilHealthyAsync(HttpClient http, string name)
    {
        HttpResponseMessage? last = null;
        for (var i = 0; i < 480; i++)
        {
            last = await http.GetAsync($"/model/{name}/health");
            if (last.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not start serving; the router last answered {(int)last!.StatusCode}: {await last.Content.ReadAsStringAsync()}\n"
            + await http.GetStringAsync($"/api/v1/deployments/{name}"));
    }
}
